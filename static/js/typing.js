// typing.js: owns typing: who is typing in each room, from `typing` events (someone stops
// when their `until` passes, when an `until` that is not in the future comes, or when a
// message of theirs arrives in that room), emitting 'typing' with the room id; and telling
// the server that I am typing (POST .../typing at most every 3 s while I type).

import * as api from './api.js';
import { state, emit } from './store.js';

const SEND_EVERY_MS = 3000;
const TYPING_MS = 5000; // how long one POST marks someone as typing (the server's rule)
const MAX_WAIT_MS = 15000; // a clock far behind the server's must not keep it up for long

const rooms = new Map(); // room id -> Map(user id -> {user, timer})
const lastMessage = new Map(); // `${room id} ${user id}` -> created_at (ms) of their latest message
const lastSent = new Map(); // room id -> when I last told the server (ms)

/** A `typing` event. */
export function applyTyping({ room_id: roomId, user, until }) {
  if (!roomId || !user?.id || user.id === state.me?.id) return;
  const end = Date.parse(until);
  const left = end - Date.now();
  // A late event from before their latest message (both times are the server's).
  const sent = lastMessage.get(`${roomId} ${user.id}`);
  if (!(left > 0) || (sent && end - TYPING_MS <= sent)) {
    stopTyping(roomId, user.id);
    return;
  }
  let people = rooms.get(roomId);
  if (!people) {
    people = new Map();
    rooms.set(roomId, people);
  }
  const was = people.get(user.id);
  clearTimeout(was?.timer);
  const timer = setTimeout(() => stopTyping(roomId, user.id), Math.min(left, MAX_WAIT_MS));
  people.set(user.id, { user, timer });
  if (!was || was.user.display_name !== user.display_name) emit('typing', roomId);
}

/** Someone stopped typing in a room (their `until` passed, or they sent a message). */
export function stopTyping(roomId, userId) {
  const people = rooms.get(roomId);
  const was = people?.get(userId);
  if (!was) return;
  clearTimeout(was.timer);
  people.delete(userId);
  if (!people.size) rooms.delete(roomId);
  emit('typing', roomId);
}

/** A message arrived: its author is no longer typing there. */
export function noteMessage(m) {
  const id = m?.author?.id;
  if (!id || !m.room_id) return;
  const at = Date.parse(m.created_at);
  const key = `${m.room_id} ${id}`;
  if (Number.isFinite(at) && !(lastMessage.get(key) > at)) lastMessage.set(key, at);
  stopTyping(m.room_id, id);
}

/** The people typing in a room now, in the order they started. */
export function typingIn(roomId) {
  return [...(rooms.get(roomId)?.values() || [])].map((t) => t.user);
}

// ---- me ---------------------------------------------------------------------------------

/** The composer of `roomId` changed: tell the server I type, at most every 3 s. */
export function noteComposing(roomId, text) {
  if (!roomId || !state.me) return;
  if (!String(text ?? '').trim()) return;
  const now = Date.now();
  if (now - (lastSent.get(roomId) ?? 0) < SEND_EVERY_MS) return;
  lastSent.set(roomId, now);
  api.typing(roomId).catch((e) => e.network && lastSent.delete(roomId));
}

/** I sent a message: the next keystroke in that room tells the server again at once. */
export function composed(roomId) {
  lastSent.delete(roomId);
}

export function resetTyping() {
  for (const people of rooms.values()) for (const t of people.values()) clearTimeout(t.timer);
  rooms.clear();
  lastMessage.clear();
  lastSent.clear();
}
