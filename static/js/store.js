// store.js: owns the client's state in memory and change notification. Rooms (summaries
// with unread and mention counts and whether I muted them), per-room timelines (confirmed
// messages by seq plus the outbox of messages not yet confirmed; edits, deletions and
// reactions merged into them), saved messages, friends, settings and the connection
// state. Mutations here are synchronous and do no I/O; they emit topics views listen to:
// 'me', 'rooms', 'open', 'timeline' (roomId), 'saved', 'friends', 'connection',
// 'settings', 'members' (roomId), 'notice' ({text, kind}). The state between people
// lives beside it and emits through it: 'presence' (presence.js), 'typing' (typing.js),
// 'blocks' and 'invitations' (safety.js), 'my-settings' (people.js).

const listeners = new Map();

export function on(topic, fn) {
  if (!listeners.has(topic)) listeners.set(topic, new Set());
  listeners.get(topic).add(fn);
  return () => listeners.get(topic)?.delete(fn);
}

export function emit(topic, detail) {
  for (const fn of listeners.get(topic) || []) {
    try {
      fn(detail);
    } catch (e) {
      console.error(`listener of ${topic} failed`, e);
    }
  }
}

export const notify = (text, kind = 'info') => emit('notice', { text, kind });

const SETTINGS_KEY = 'parley.settings';
const DEFAULT_SETTINGS = { transport: 'sse' };

function loadSettings() {
  try {
    return { ...DEFAULT_SETTINGS, ...JSON.parse(localStorage.getItem(SETTINGS_KEY) || '{}') };
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export const state = {
  me: null,
  rooms: new Map(), // id -> room summary (room + unread_count, last_read_seq, last_message)
  timelines: new Map(), // id -> timeline (see timeline())
  openRoomId: null,
  saved: null, // [message] newest saved first, or null before the first load
  savedIds: new Set(),
  friends: null, // [user] or null before the first load
  connection: 'offline', // 'live' | 'reconnecting' | 'polling' | 'offline'
  settings: loadSettings(),
};

export function setSettings(patch) {
  state.settings = { ...state.settings, ...patch };
  try {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(state.settings));
  } catch {
    /* private mode: keep it in memory */
  }
  emit('settings', state.settings);
}

export function setConnection(value) {
  if (state.connection === value) return;
  const was = state.connection;
  state.connection = value;
  emit('connection', { value, was });
}

export function setMe(user) {
  state.me = user;
  emit('me', user);
}

/** Forget everything about the signed-in user (logout, account deleted, session gone). */
export function clearSession() {
  state.me = null;
  state.rooms.clear();
  mentionBooks.clear();
  state.timelines.clear();
  state.openRoomId = null;
  state.saved = null;
  state.savedIds.clear();
  state.friends = null;
  emit('rooms');
  emit('open', null);
  emit('saved');
  emit('friends');
}

// ---- rooms ------------------------------------------------------------------------------

const lastSeq = (r) => r?.last_message?.seq ?? 0;

// Mention counts: the server's `mention_count` counts the mentions of me up to the room's
// latest seq when it answered; mentions that arrive later are counted here, by seq, so a
// message seen twice (its event and a catch-up page) counts once.
const mentionBooks = new Map(); // room id -> {baseCount, baseSeq, seqs: Set}

function mentionBook(roomId) {
  let b = mentionBooks.get(roomId);
  if (!b) {
    b = { baseCount: 0, baseSeq: 0, seqs: new Set() };
    mentionBooks.set(roomId, b);
  }
  return b;
}

/** Recomputes `mention_count` of a summary after its read marker or mentions changed. */
export function recountMentions(r) {
  const b = mentionBook(r.id);
  const read = r.last_read_seq ?? 0;
  if (!r.unread_count) {
    r.mention_count = 0;
    return;
  }
  let n = read >= b.baseSeq ? 0 : b.baseCount;
  for (const seq of b.seqs) if (seq > b.baseSeq && seq > read) n += 1;
  r.mention_count = n;
}

/** Whether a message names me (`mentions` holds my id). */
export const mentionsMe = (m) => Boolean(state.me && !m?.deleted && m?.mentions?.includes(state.me.id));

/** Merges a summary or a bare room into what is known, never moving backwards. */
export function upsertRoom(fresh, { silent = false } = {}) {
  const old = state.rooms.get(fresh.id);
  const merged = { unread_count: 0, last_read_seq: 0, last_message: null, ...old, ...fresh };
  if (old) {
    if (lastSeq(old) > lastSeq(fresh) || fresh.last_message === undefined) merged.last_message = old.last_message;
    if ((old.last_read_seq ?? 0) > (fresh.last_read_seq ?? 0) || fresh.last_read_seq === undefined) {
      merged.last_read_seq = old.last_read_seq;
      merged.unread_count = Math.max(0, lastSeq(merged) - merged.last_read_seq);
    }
    if (fresh.unread_count === undefined) merged.unread_count = old.unread_count;
  }
  if (fresh.mention_count !== undefined) {
    const b = mentionBook(fresh.id);
    b.baseCount = fresh.mention_count;
    b.baseSeq = lastSeq(fresh);
  }
  recountMentions(merged);
  state.rooms.set(fresh.id, merged);
  if (!silent) emit('rooms');
  return merged;
}

/** Replaces the room list with the server's (rooms I left disappear). */
export function setRooms(list) {
  const keep = new Set(list.map((r) => r.id));
  for (const id of [...state.rooms.keys()]) {
    if (!keep.has(id)) removeRoom(id, { silent: true });
  }
  for (const r of list) upsertRoom(r, { silent: true });
  emit('rooms');
}

export function removeRoom(id, { silent = false } = {}) {
  state.rooms.delete(id);
  mentionBooks.delete(id);
  state.timelines.delete(id);
  if (state.openRoomId === id) {
    state.openRoomId = null;
    emit('open', null);
  }
  if (!silent) emit('rooms');
}

/** Rooms by latest activity first. */
export function sortedRooms() {
  const stamp = (r) => Date.parse(r.last_message?.created_at || r.created_at || 0) || 0;
  return [...state.rooms.values()].sort((a, b) => stamp(b) - stamp(a) || a.name.localeCompare(b.name));
}

export function applyReadMarker({ room_id, last_read_seq, unread_count }) {
  const r = state.rooms.get(room_id);
  if (!r) return;
  if (last_read_seq < (r.last_read_seq ?? 0)) return; // never backwards
  r.last_read_seq = last_read_seq;
  // The server counted at the time it moved the marker; messages seen since count too.
  r.unread_count = Math.max(0, unread_count ?? 0, lastSeq(r) - last_read_seq);
  recountMentions(r);
  emit('rooms');
}

/** A `room_settings` event or answer: I muted or unmuted a room. */
export function applyRoomSettings({ room_id, muted }) {
  const r = state.rooms.get(room_id);
  if (!r || r.muted === muted) return;
  r.muted = muted;
  emit('rooms');
}

// ---- timelines --------------------------------------------------------------------------

/**
 * A room's messages as this client holds them: a contiguous range of seqs
 * [minSeq..maxSeq] (older pages are added at the front, new ones at the back) plus the
 * outbox: messages of mine sent but not confirmed, keyed by client_id. The range reaches
 * the room's newest message unless `hasNewer`: a window opened around an older message
 * (a search result far back), paged on towards the newest. `epoch` changes whenever the
 * range is replaced, so pages asked for the old range are dropped when they arrive.
 */
export function timeline(roomId) {
  let tl = state.timelines.get(roomId);
  if (!tl) {
    tl = {
      roomId,
      bySeq: new Map(),
      minSeq: null,
      maxSeq: 0,
      loaded: false,
      hasOlder: false,
      hasNewer: false,
      loadingOlder: null, // the promise of the older pages on their way
      loadingNewer: null, // the promise of the newer pages on their way (a window)
      epoch: 0,
      stale: false,
      pending: new Map(), // client_id -> {client_id, room_id, body, status, error, retryable, created_at}
      unreadFrom: null, // first seq unread when the room was opened (the "New" divider)
    };
    state.timelines.set(roomId, tl);
  }
  return tl;
}

/**
 * Drops the held range (not the outbox): the timeline is loaded again from scratch, or
 * replaced by a window. Pages on their way for the old range are dropped (`epoch`).
 */
export function clearRange(tl) {
  tl.epoch += 1;
  tl.bySeq = new Map();
  tl.minSeq = null;
  tl.maxSeq = 0;
  tl.loaded = false;
  tl.hasOlder = false;
  tl.hasNewer = false;
  tl.loading = null;
  tl.loadingOlder = null;
  tl.loadingNewer = null;
  tl.catchingUp = null;
  tl.stale = false;
}

/** Adds confirmed messages (any order, duplicates ignored); confirms matching pendings. */
export function addMessages(roomId, msgs, { silent = false } = {}) {
  const tl = timeline(roomId);
  let changed = false;
  for (const m of msgs) {
    if (!m || m.room_id !== roomId) continue;
    if (m.client_id && tl.pending.has(m.client_id) && m.author?.id === state.me?.id) {
      tl.pending.delete(m.client_id);
      changed = true;
    }
    if (tl.bySeq.has(m.seq)) continue;
    tl.bySeq.set(m.seq, m);
    tl.minSeq = tl.minSeq === null ? m.seq : Math.min(tl.minSeq, m.seq);
    tl.maxSeq = Math.max(tl.maxSeq, m.seq);
    changed = true;
  }
  if (changed && !silent) emit('timeline', roomId);
  return changed;
}

/** A held message by id, or null. */
export function findMessage(roomId, messageId) {
  const tl = state.timelines.get(roomId);
  if (!tl) return null;
  for (const m of tl.bySeq.values()) if (m.id === messageId) return m;
  return null;
}

/** Whether `fresh` is an older version of `old` (a tombstone never comes back). */
const isOlder = (fresh, old) =>
  !fresh.deleted &&
  (old.deleted || Boolean(old.edited_at && (!fresh.edited_at || Date.parse(fresh.edited_at) < Date.parse(old.edited_at))));

/**
 * `fresh` with my reactions: an event's reactions all say `me: false`, so the flags held
 * are kept; a page fetched over HTTP (`trustMe`) knows them.
 */
function mergeVersion(old, fresh, trustMe) {
  if (fresh.deleted) return { ...fresh, reactions: [], mentions: [] };
  if (trustMe || !old) return fresh;
  const mine = new Map((old.reactions || []).map((r) => [r.emoji, r.me]));
  return { ...fresh, reactions: (fresh.reactions || []).map((r) => ({ ...r, me: mine.get(r.emoji) ?? r.me })) };
}

/**
 * Replaces a message held already (edited, deleted to a tombstone, or fetched again)
 * in its timeline, in the room list's preview and among saved messages.
 */
export function replaceMessage(m, { trustMe = false, silent = false } = {}) {
  const tl = state.timelines.get(m?.room_id);
  const old = tl?.bySeq.get(m.seq);
  let changed = false;
  if (old && old.id === m.id && !isOlder(m, old)) {
    tl.bySeq.set(m.seq, mergeVersion(old, m, trustMe));
    changed = true;
  }
  const r = state.rooms.get(m?.room_id);
  if (r?.last_message?.id === m.id && !isOlder(m, r.last_message)) {
    r.last_message = mergeVersion(r.last_message, m, trustMe);
    if (!silent) emit('rooms');
  }
  const i = state.saved ? state.saved.findIndex((s) => s.id === m.id) : -1;
  if (i >= 0 && !isOlder(m, state.saved[i])) {
    state.saved = state.saved.map((s, j) => (j === i ? mergeVersion(s, m, trustMe) : s));
    if (!silent) emit('saved');
  }
  if (changed && !silent) emit('timeline', m.room_id);
  return changed;
}

/** Sets one emoji's count on a message's reactions (dropped at 0); `me` when known. */
function withReaction(m, emoji, count, me) {
  const list = (m.reactions || []).map((r) => ({ ...r }));
  const i = list.findIndex((r) => r.emoji === emoji);
  if (count <= 0) {
    if (i >= 0) list.splice(i, 1);
  } else if (i >= 0) {
    list[i].count = count;
    if (me !== undefined) list[i].me = me;
  } else {
    list.push({ emoji, count, me: Boolean(me) });
  }
  return { ...m, reactions: list };
}

/**
 * A `reaction` event (or my own reaction, before the server confirms it): `count` is the
 * emoji's count after the change; my `me` flag follows only my own reactions.
 */
export function applyReaction({ room_id, message_id, emoji, user_id, on, count }) {
  const me = user_id && user_id === state.me?.id ? Boolean(on) : undefined;
  const m = findMessage(room_id, message_id);
  if (m && !m.deleted) {
    state.timelines.get(room_id).bySeq.set(m.seq, withReaction(m, emoji, count, me));
    emit('timeline', room_id);
  }
  const i = state.saved ? state.saved.findIndex((s) => s.id === message_id) : -1;
  if (i >= 0) {
    state.saved = state.saved.map((s, j) => (j === i ? withReaction(s, emoji, count, me) : s));
    emit('saved');
  }
}

/** Confirmed messages in seq order. */
export const confirmed = (tl) => [...tl.bySeq.values()].sort((a, b) => a.seq - b.seq);

/** Keeps the room list's preview and unread count up to date for a new message. */
export function noteMessageInSummary(m, { viewing, silent = false }) {
  const r = state.rooms.get(m.room_id);
  if (!r) return false;
  if (lastSeq(r) < m.seq) r.last_message = m;
  const mine = m.author?.id && m.author.id === state.me?.id;
  if (mine || viewing) {
    // One's own message is read by definition; a room in view is read as it arrives.
    r.last_read_seq = Math.max(r.last_read_seq ?? 0, m.seq);
  }
  r.unread_count = Math.max(0, lastSeq(r) - (r.last_read_seq ?? 0));
  if (!mine && mentionsMe(m)) mentionBook(r.id).seqs.add(m.seq);
  recountMentions(r);
  if (!silent) emit('rooms');
  return true;
}

/** For the page title: unread messages, but only the mentions of a muted room. */
export function totalUnread() {
  let n = 0;
  for (const r of state.rooms.values()) n += r.muted ? r.mention_count || 0 : r.unread_count || 0;
  return n;
}

// ---- saved and friends ------------------------------------------------------------------

export function setSaved(list) {
  state.saved = list;
  state.savedIds = new Set(list.map((m) => m.id));
  emit('saved');
}

export function markSaved(message, saved) {
  if (saved) {
    state.savedIds.add(message.id);
    if (state.saved && !state.saved.some((m) => m.id === message.id)) state.saved = [message, ...state.saved];
  } else {
    state.savedIds.delete(message.id);
    if (state.saved) state.saved = state.saved.filter((m) => m.id !== message.id);
  }
  emit('saved');
}

export function setFriends(list) {
  state.friends = [...list].sort((a, b) =>
    (a.display_name || a.username).localeCompare(b.display_name || b.username),
  );
  emit('friends');
}

export function friendChanged(change, user) {
  if (!state.friends) return;
  const others = state.friends.filter((f) => f.id !== user.id);
  setFriends(change === 'added' ? [...others, user] : others);
}
