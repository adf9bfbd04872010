// views/seen.js: owns "Seen by N" under my own latest message in the open room: who has
// read it (GET .../seen), fetched when that message changes, when new messages arrive
// (their authors have read it), and every few seconds while the room is on screen, since
// other members' read markers send me no events.

import { state, on, emit } from '../store.js';
import * as api from '../api.js';
import { displayName } from '../format.js';
import { lastOwnMessage } from './message-edit.js';

const REFRESH_MS = 10000;
const SOON_MS = 600;

let shown = null; // {roomId, messageId, users}
let watched = null; // {roomId, messageId, maxSeq}
let soonTimer = null;
let busy = false;
let again = false;

/** The users who have seen my latest message `messageId`, or null if not known. */
export function seenBy(roomId, messageId) {
  return shown && shown.roomId === roomId && shown.messageId === messageId ? shown.users : null;
}

/** "Seen by 2" and the names, for the line under the message. */
export function seenText(users) {
  return {
    text: `Seen by ${users.length}`,
    names: users.map((u) => displayName(u)).join(', '),
  };
}

export function mountSeen() {
  on('open', () => check());
  on('timeline', (roomId) => roomId === state.openRoomId && check());
  setInterval(() => {
    if (document.visibilityState === 'visible' && watched) fetchSeen();
  }, REFRESH_MS);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && watched && fetchSeen());
}

/** Looks at the open room: a new latest message of mine fetches at once, news soon. */
function check() {
  const roomId = state.openRoomId;
  const m = roomId ? lastOwnMessage(roomId) : null;
  if (!m) {
    watched = null;
    return;
  }
  const maxSeq = state.timelines.get(roomId)?.maxSeq ?? 0;
  if (!watched || watched.roomId !== roomId || watched.messageId !== m.id) {
    watched = { roomId, messageId: m.id, maxSeq };
    fetchSeen();
  } else if (maxSeq > watched.maxSeq) {
    watched.maxSeq = maxSeq;
    clearTimeout(soonTimer);
    soonTimer = setTimeout(fetchSeen, SOON_MS);
  }
}

async function fetchSeen() {
  const target = watched;
  if (!target) return;
  if (busy) {
    again = true;
    return;
  }
  busy = true;
  try {
    const users = await api.seen(target.roomId, target.messageId);
    const before = seenBy(target.roomId, target.messageId);
    const same = before && before.length === users.length && before.every((u, i) => u.id === users[i].id && displayName(u) === displayName(users[i]));
    if (!same) {
      shown = { roomId: target.roomId, messageId: target.messageId, users };
      emit('timeline', target.roomId);
    }
  } catch {
    /* the room may be gone, or the message deleted: nothing to show */
  } finally {
    busy = false;
    if (again) {
      again = false;
      fetchSeen();
    }
  }
}
