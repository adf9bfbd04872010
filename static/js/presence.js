// presence.js: owns presence: whether people are online, away or offline, by user id (fed
// by `presence` events and by the `presence` field of the users the server sends: friends,
// room members, profiles); the other member of each two-person room, whose dot the room
// list shows; and my own state from the page's visibility: away while the page is hidden,
// online when it shows again and whenever the event stream is (re)connected
// (PUT /api/me/presence). Emits 'presence' with the Set of user ids that changed.

import * as api from './api.js';
import { state, on, emit } from './store.js';

const STATES = new Set(['online', 'away', 'offline']);
const known = new Map(); // user id -> 'online' | 'away' | 'offline'

/** A user's state as last heard; 'offline' when nothing was heard. */
export const presenceOf = (userId) => known.get(userId) || 'offline';

/** A `presence` event: one user's new state. */
export function setPresence(userId, value) {
  if (!userId || !STATES.has(value) || userId === state.me?.id) return;
  if (known.get(userId) === value) return;
  known.set(userId, value);
  emit('presence', new Set([userId]));
}

/** Takes the `presence` field of users in an HTTP answer (friends, members, a profile). */
export function notePresence(users) {
  const changed = new Set();
  for (const u of users || []) {
    if (!u?.id || !STATES.has(u.presence) || u.id === state.me?.id) continue;
    if (known.get(u.id) !== u.presence) {
      known.set(u.id, u.presence);
      changed.add(u.id);
    }
  }
  if (changed.size) emit('presence', changed);
}

// ---- the other member of two-person rooms ----------------------------------------------

const peers = new Map(); // room id -> {count, user: user | null, loading: bool}

/**
 * The other member of a room of two (for its presence dot in the room list), or null: not
 * a room of two, or not known yet (then it is fetched, and 'rooms' emitted when it comes).
 */
export function roomPeer(room) {
  if (!room || room.member_count !== 2 || !state.me) return null;
  let entry = peers.get(room.id);
  if (entry && entry.count === room.member_count) return entry.user;
  entry = { count: room.member_count, user: null, loading: true };
  peers.set(room.id, entry);
  api
    .room(room.id)
    .then((detail) => {
      if (peers.get(room.id) !== entry) return;
      notePresence(detail.members);
      entry.user = (detail.members || []).find((u) => u.id !== state.me?.id) || null;
      if (entry.user) emit('rooms');
    })
    .catch(() => {})
    .finally(() => {
      entry.loading = false;
    });
  return null;
}

// ---- my own state -----------------------------------------------------------------------

let told = null; // the state the server last heard from this page
let queue = Promise.resolve();

function tellServer(force) {
  if (!state.me) return;
  const value = document.visibilityState === 'hidden' ? 'away' : 'online';
  if (!force && value === told) return;
  told = value;
  // One at a time, so the server hears them in the order the page changed.
  queue = queue
    .then(() => api.setPresence(value))
    .catch((e) => {
      if (told === value) told = null;
      console.debug(`parley: presence not sent (${e.message})`);
    });
}

export function mountPresence() {
  document.addEventListener('visibilitychange', () => tellServer(false));
  // After every `ready`: a new stream starts out online whatever the page looks like.
  on('connection', ({ value }) => value === 'live' && tellServer(true));
  // Who is online comes with the friend list.
  on('friends', () => notePresence(state.friends));
  // Its membership changed: look again who the other member is.
  on('members', (roomId) => peers.delete(roomId) && emit('rooms'));
}

export function resetPresence() {
  known.clear();
  peers.clear();
  told = null;
}
