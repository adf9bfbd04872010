// api.js: owns HTTP to the gateway (API.md): one `request()` that sends JSON with the
// session cookie, turns error bodies into ApiError with a message fit for people, plus
// one small function per endpoint. No state lives here.

export const WAIT = 10; // seconds for `Prefer: wait` when the outcome is wanted inline

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.name = 'ApiError';
    this.status = status; // 0 when the server could not be reached
    this.code = code;
    this.field = field;
  }
  get network() {
    return this.status === 0 || this.code === 'unavailable' || this.status === 502 || this.status === 503;
  }
}

const UNREACHABLE = "Can't reach the server";

/** The text a person sees for an error; the server's own message where it is clear. */
function humanMessage(status, err) {
  const code = err?.code;
  switch (code) {
    case 'username_taken':
      return 'That nickname is taken';
    case 'invalid_credentials':
      return 'Wrong nickname or password';
    case 'unauthenticated':
      return 'Your session has ended. Please sign in again';
    case 'unavailable':
      return UNREACHABLE;
    case 'timeout':
      return 'The server took too long to answer. Please try again';
    case 'rate_limited':
      return 'Slow down a little: too many requests. Try again in a moment';
    case 'payload_too_large':
      return 'That is too long to send';
    case 'already_member':
      return 'Already a member of this room';
    case 'already_friends':
      return 'You are already friends';
    case 'not_a_member':
      return 'You are not a member of this room';
    case 'forbidden':
      return err?.message ? `Not allowed: ${err.message}` : 'Not allowed';
    case 'not_found':
      if (err?.message === 'no such endpoint') return 'This server does not support that yet';
      return err?.message ? capitalise(err.message) : 'Not found';
    default:
      break;
  }
  if (status === 502 || status === 503) return UNREACHABLE;
  if (err?.message) return capitalise(err.message);
  if (status >= 500) return 'Something went wrong on the server. Please try again';
  return `The request failed (HTTP ${status})`;
}

const capitalise = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);

/** Turns the error object of a `result` event into an ApiError. */
export function resultError(status, body) {
  return new ApiError(status, body?.code || `http_${status}`, humanMessage(status, body), body?.field);
}

let onSignedOut = () => {};
/** Called when an authenticated request answers 401: the session is gone. */
export function setSignedOutHandler(fn) {
  onSignedOut = fn;
}

/**
 * request('POST', '/api/rooms', {body, wait}) → {status, data}; throws ApiError.
 * `auth: false` marks calls where 401 is an expected answer (login, the first /api/me).
 */
export async function request(method, path, { body, wait, auth = true, signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (wait) headers.Prefer = `wait=${wait}`;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (e) {
    if (e?.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', UNREACHABLE);
  }
  let data = null;
  if (res.status !== 204) {
    const text = await res.text().catch(() => '');
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
  }
  if (res.ok) return { status: res.status, data };
  const err = data?.error;
  const error = new ApiError(res.status, err?.code || `http_${res.status}`, humanMessage(res.status, err), err?.field);
  const retryAfter = Number(res.headers.get('Retry-After'));
  if (Number.isFinite(retryAfter) && retryAfter > 0) error.retryAfter = retryAfter;
  if (res.status === 401 && auth && error.code === 'unauthenticated') onSignedOut();
  throw error;
}

const enc = encodeURIComponent;
const get = (path, opts) => request('GET', path, opts).then((r) => r.data);

// Accounts and sessions
export const register = (username, password, display_name) =>
  request('POST', '/api/users', { body: { username, password, ...(display_name ? { display_name } : {}) }, auth: false });
export const login = (username, password) =>
  request('POST', '/api/sessions', { body: { username, password }, auth: false }).then((r) => r.data);
export const logout = () => request('DELETE', '/api/sessions/current', { auth: false });
export const me = (opts) => get('/api/me', opts);
export const updateMe = (fields) => request('PATCH', '/api/me', { body: fields, wait: WAIT });
export const deleteMe = () => request('DELETE', '/api/me', { wait: WAIT });
export const userProfile = (username) => get(`/api/users/${enc(username)}`);

// The start: me, rooms, friends, invitations and the latest `messages` of the `rooms` most
// recently active rooms, with the stream `cursor` taken before they were read.
export const sync = (rooms, messages) => get(`/api/sync?rooms=${rooms}&messages=${messages}`);

// Friends
export const friends = () => get('/api/friends').then((d) => d?.friends || []);
export const addFriend = (username) => request('POST', '/api/friends', { body: { username }, wait: WAIT });
export const removeFriend = (username) => request('DELETE', `/api/friends/${enc(username)}`, { wait: WAIT });

// Rooms and membership
export const rooms = () => get('/api/rooms').then((d) => d?.rooms || []);
export const publicRooms = () => get('/api/rooms?scope=public').then((d) => d?.rooms || []);
export const room = (id) => get(`/api/rooms/${enc(id)}`);
export const createRoom = (name, visibility, members) =>
  request('POST', '/api/rooms', { body: { name, visibility, members }, wait: WAIT });
export const addMember = (roomId, username) =>
  request('POST', `/api/rooms/${enc(roomId)}/members`, { body: { username }, wait: WAIT });
export const removeMember = (roomId, username) =>
  request('DELETE', `/api/rooms/${enc(roomId)}/members/${enc(username)}`, { wait: WAIT });
export const deleteRoom = (roomId) => request('DELETE', `/api/rooms/${enc(roomId)}`, { wait: WAIT });

// Messages and read markers
export function messages(roomId, { after, before, limit } = {}) {
  const q = new URLSearchParams();
  if (after !== undefined) q.set('after', after);
  if (before !== undefined) q.set('before', before);
  if (limit !== undefined) q.set('limit', limit);
  const qs = q.toString();
  return get(`/api/rooms/${enc(roomId)}/messages${qs ? `?${qs}` : ''}`).then((d) => d?.messages || []);
}
/** Without `wait` the answer is 202 {request_id}; the outcome comes as a `result` event. */
export const sendMessage = (roomId, body, client_id, wait, reply_to) =>
  request('POST', `/api/rooms/${enc(roomId)}/messages`, { body: { body, client_id, ...(reply_to ? { reply_to } : {}) }, wait });
export const markRead = (roomId, seq) => request('PUT', `/api/rooms/${enc(roomId)}/read`, { body: { seq }, wait: WAIT });
const messagePath = (roomId, messageId) => `/api/rooms/${enc(roomId)}/messages/${enc(messageId)}`;
/** 200 with the edited message. */
export const editMessage = (roomId, messageId, body) => request('PATCH', messagePath(roomId, messageId), { body: { body }, wait: WAIT });
/** 200 with the tombstone, or 204 when it was deleted already. */
export const deleteMessage = (roomId, messageId) => request('DELETE', messagePath(roomId, messageId), { wait: WAIT });
export const react = (roomId, messageId, emoji) =>
  request('PUT', `${messagePath(roomId, messageId)}/reactions/${enc(emoji)}`, { wait: WAIT });
export const unreact = (roomId, messageId, emoji) =>
  request('DELETE', `${messagePath(roomId, messageId)}/reactions/${enc(emoji)}`, { wait: WAIT });
/** The members (not me) whose read marker is at or past the message. */
export const seen = (roomId, messageId) => get(`${messagePath(roomId, messageId)}/seen`).then((d) => d?.users || []);
export const roomSettings = (roomId, settings) =>
  request('PUT', `/api/rooms/${enc(roomId)}/settings`, { body: settings, wait: WAIT }).then((r) => r.data);

// My settings (share_read_receipts, share_presence)
export const mySettings = () => get('/api/me/settings');
export const updateMySettings = (fields) => request('PUT', '/api/me/settings', { body: fields, wait: WAIT }).then((r) => r.data);

// Typing and presence (#14)
export const typing = (roomId) => request('POST', `/api/rooms/${enc(roomId)}/typing`, { wait: 5 });
export const setPresence = (value) => request('PUT', '/api/me/presence', { body: { state: value }, wait: WAIT });

// Invitations: accepting answers the room I am now a member of
export const invitations = () => get('/api/invitations').then((d) => d?.invitations || []);
export const acceptInvitation = (id) => request('POST', `/api/invitations/${enc(id)}/accept`, { wait: WAIT }).then((r) => r.data);
export const declineInvitation = (id) => request('POST', `/api/invitations/${enc(id)}/decline`, { wait: WAIT });

// Blocks
export const blocks = () => get('/api/blocks').then((d) => d?.blocks || []);
export const block = (username) => request('PUT', `/api/blocks/${enc(username)}`, { wait: WAIT }).then((r) => r.data);
export const unblock = (username) => request('DELETE', `/api/blocks/${enc(username)}`, { wait: WAIT });

// Search (#16): my rooms' messages holding every term of `q`, each with a snippet whose
// `highlights` count code points; `next_before` pages on (null on the last page).
export function search(q, { roomId, before, limit, signal } = {}) {
  const p = new URLSearchParams({ q });
  if (roomId) p.set('room_id', roomId);
  if (before) p.set('before', before);
  if (limit !== undefined) p.set('limit', limit);
  return get(`/api/search?${p}`, { signal }).then((d) => ({ results: d?.results || [], next_before: d?.next_before ?? null }));
}

// Account activity: my recent sign-ins and security events, newest first; `next_before`
// pages on (null on the last page).
export function activity({ before, limit } = {}) {
  const p = new URLSearchParams();
  if (before) p.set('before', before);
  if (limit !== undefined) p.set('limit', limit);
  const qs = p.toString();
  return get(`/api/me/activity${qs ? `?${qs}` : ''}`).then((d) => ({ items: d?.items || [], next_before: d?.next_before ?? null }));
}

// Saved messages
export const saved = () => get('/api/saved').then((d) => d?.saved || []);
export const save = (messageId) => request('PUT', `/api/saved/${enc(messageId)}`, { wait: WAIT });
export const unsave = (messageId) => request('DELETE', `/api/saved/${enc(messageId)}`, { wait: WAIT });
