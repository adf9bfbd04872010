// sync.js: owns keeping the store in step with the server: the start from GET /api/sync
// (me, rooms, friends, invitations and the latest messages of the most active rooms, read
// at one stream cursor; again after `reset` or a stream not resumed), a room's latest page,
// older pages (`before`) and catch-up (`after`), the history around one message (a search
// result: older pages down to it, or a window around it paged on towards the newest), the
// latest page again for edits, deletions and reactions a poll or a reset would miss, read
// markers, and applying every live event (those between people through people.js). A
// server without /api/sync is loaded list by list.

import * as api from './api.js';
import {
  state,
  emit,
  notify,
  clearRange,
  setRooms,
  upsertRoom,
  removeRoom,
  timeline,
  addMessages,
  replaceMessage,
  applyReaction,
  applyRoomSettings,
  recountMentions,
  noteMessageInSummary,
  applyReadMarker,
  friendChanged,
  setMe,
  setSaved,
  setFriends,
} from './store.js';
import { handleResult, retryUnsent } from './outbox.js';
import { applyPeopleEvent } from './people.js';
import { loadSafety, setBlocks, setInvitations } from './safety.js';
import { noteMessage } from './typing.js';

const PAGE = 50;
const CATCH_UP_PAGE = 200; // also the most one request may ask for (the server's limit)
const CONTEXT = 25; // messages loaded on each side of one jumped to
const FILL_MAX = 400; // older messages loaded whole to reach one; further back, a window
const SYNC_ROOMS = 20; // the rooms whose latest messages /api/sync brings

// ---- loading ----------------------------------------------------------------------------

export async function refreshRooms() {
  setRooms(await api.rooms());
}

let syncing = null;
let syncAgain = false;
let noSyncEndpoint = false;

/**
 * Everything the screen shows, from the server (start, `reset`, a stream not resumed).
 * Resolves to the stream cursor the answer was read at (null from a server without
 * /api/sync). A call while one runs shares it, and it runs once more after.
 */
export function resync() {
  if (syncing) {
    syncAgain = true;
    return syncing;
  }
  syncing = (async () => {
    let cursor = null;
    do {
      syncAgain = false;
      cursor = await syncOnce();
    } while (syncAgain);
    return cursor;
  })().finally(() => {
    syncing = null;
  });
  return syncing;
}

async function syncOnce() {
  if (!noSyncEndpoint) {
    let data = null;
    try {
      data = await api.sync(SYNC_ROOMS, PAGE);
    } catch (e) {
      if (e.status !== 404 && e.status !== 405) throw e;
      noSyncEndpoint = true;
      console.info('parley: no GET /api/sync on this server; loading list by list');
    }
    if (data) {
      await applySync(data);
      return data.cursor || null;
    }
  }
  await loadEach();
  return null;
}

async function applySync(data) {
  if (data.me) setMe(data.me);
  for (const tl of state.timelines.values()) tl.stale = true;
  // Timelines before the rooms: a room opened by the route finds its messages there.
  for (const page of data.messages || []) takeLatestPage(page.room_id, page.messages || [], page.has_more);
  const jobs = [api.blocks().then(setBlocks).catch((e) => console.warn('blocks not loaded', e.message))];
  // Each part as its own GET answers it; a part missing from the answer is fetched alone.
  if (Array.isArray(data.rooms)) setRooms(data.rooms);
  else jobs.push(refreshRooms());
  if (Array.isArray(data.friends)) setFriends(data.friends);
  else if (state.friends !== null) jobs.push(loadFriends().catch(() => {}));
  if (Array.isArray(data.invitations)) setInvitations(data.invitations);
  else jobs.push(api.invitations().then(setInvitations).catch(() => {}));
  if (state.saved !== null) jobs.push(loadSaved().catch(() => {}));
  await Promise.all(jobs);
  if (state.openRoomId && state.rooms.has(state.openRoomId)) await ensureTimeline(state.openRoomId);
  retryUnsent();
}

/** The lists one by one, for a server without /api/sync. */
async function loadEach() {
  const jobs = [refreshRooms()];
  for (const tl of state.timelines.values()) tl.stale = true;
  if (state.saved !== null) jobs.push(loadSaved().catch(() => {}));
  if (state.friends !== null) jobs.push(loadFriends().catch(() => {}));
  jobs.push(api.me().then(setMe).catch(() => {}));
  jobs.push(loadSafety().catch((e) => console.warn('blocks and invitations not loaded', e.message)));
  await Promise.all(jobs);
  if (state.openRoomId && state.rooms.has(state.openRoomId)) await ensureTimeline(state.openRoomId);
  retryUnsent();
}

/**
 * A room's latest messages (ascending) from /api/sync: the timeline when none is held;
 * else merged into it (with the held messages' current versions) when the two meet, or
 * left stale, to be caught up when the room is opened, when a gap lies between them.
 */
function takeLatestPage(roomId, page, hasMore) {
  if (!roomId) return;
  const tl = timeline(roomId);
  const older = hasMore ?? (page.length > 0 && page[0].seq > 1);
  if (!tl.loaded) {
    addMessages(roomId, page, { silent: true });
    tl.loaded = true;
    tl.stale = false;
    tl.hasOlder = older;
    emit('timeline', roomId);
    return;
  }
  if (page.length) {
    const first = page[0].seq;
    const last = page[page.length - 1].seq;
    if (first > tl.maxSeq + 1 || (tl.minSeq !== null && last < tl.minSeq - 1)) return;
    if (tl.minSeq === null || first < tl.minSeq) tl.hasOlder = older;
  }
  // The room's latest page meets the range held: it reaches the newest now.
  tl.hasNewer = false;
  addMessages(roomId, page, { silent: true });
  takeVersions(roomId, page);
  tl.stale = false;
  emit('timeline', roomId);
}

export async function loadSaved() {
  setSaved(await api.saved());
}

export async function loadFriends() {
  setFriends(await api.friends());
}

/** Loads a room's latest page the first time, else catches up from its last seq. */
export async function ensureTimeline(roomId) {
  const tl = timeline(roomId);
  if (!tl.loaded) {
    if (tl.loading) return tl.loading;
    const epoch = tl.epoch;
    const loading = (async () => {
      const page = await api.messages(roomId, { limit: PAGE });
      if (tl.epoch !== epoch) return; // the range was replaced meanwhile
      addMessages(roomId, page, { silent: true });
      tl.loaded = true;
      tl.stale = false;
      tl.hasOlder = page.length > 0 && page[0].seq > 1;
      emit('timeline', roomId);
      // Anything that arrived while the page was on its way.
      const summary = state.rooms.get(roomId);
      if ((summary?.last_message?.seq ?? 0) > tl.maxSeq) await catchUp(roomId);
    })().finally(() => {
      if (tl.loading === loading) tl.loading = null;
    });
    tl.loading = loading;
    return loading;
  }
  // Held messages may have been edited, deleted or reacted to while no events came.
  const wasStale = tl.stale;
  await catchUp(roomId);
  if (wasStale) await refreshRecent(roomId);
  return undefined;
}

/**
 * Fetches the latest page again and takes the held messages' current versions from it:
 * what polling (which only asks for newer messages) or a `reset` does not bring.
 */
export async function refreshRecent(roomId) {
  const tl = state.timelines.get(roomId);
  if (!tl?.loaded) return;
  const page = await api.messages(roomId, { limit: PAGE });
  if (takeVersions(roomId, page)) emit('timeline', roomId);
}

const differs = (a, b) =>
  a.body !== b.body ||
  a.deleted !== b.deleted ||
  a.edited_at !== b.edited_at ||
  JSON.stringify(a.reactions || []) !== JSON.stringify(b.reactions || []) ||
  JSON.stringify(a.reply_to || null) !== JSON.stringify(b.reply_to || null);

/** Takes the current versions of held messages from a page fetched over HTTP. */
function takeVersions(roomId, page) {
  const tl = state.timelines.get(roomId);
  let changed = false;
  for (const m of page) {
    const held = tl?.bySeq.get(m.seq);
    if (held && differs(held, m) && replaceMessage(m, { trustMe: true, silent: true })) changed = true;
  }
  if (changed) {
    emit('rooms');
    emit('saved');
  }
  return changed;
}

/**
 * Fetches every message after the last one held (polling uses this every second). Not in
 * a window (`hasNewer`): newer messages come there by paging on (loadNewer).
 */
export async function catchUp(roomId) {
  const tl = timeline(roomId);
  if (!tl.loaded) return ensureTimeline(roomId);
  if (tl.hasNewer) return undefined;
  if (tl.catchingUp) {
    tl.catchUpAgain = true;
    return tl.catchingUp;
  }
  const epoch = tl.epoch;
  const catchingUp = (async () => {
    do {
      tl.catchUpAgain = false;
      for (;;) {
        const page = await api.messages(roomId, { after: tl.maxSeq, limit: CATCH_UP_PAGE });
        if (tl.epoch !== epoch || tl.hasNewer) return; // the range was replaced meanwhile
        addMessages(roomId, page);
        if (page.length) {
          const viewing = isViewing(roomId);
          for (const m of page) noteMessageInSummary(m, { viewing, silent: true });
          emit('rooms');
        }
        if (page.length < CATCH_UP_PAGE) break;
      }
    } while (tl.catchUpAgain);
    tl.stale = false;
  })().finally(() => {
    if (tl.catchingUp === catchingUp) tl.catchingUp = null;
  });
  tl.catchingUp = catchingUp;
  return catchingUp;
}

/**
 * Scroll-back: the page before the oldest message held; with `to`, older pages until the
 * message `to` is held (or the room's first). A call while pages are on their way shares
 * them (and goes on to `to` after).
 */
export function loadOlder(roomId, { to } = {}) {
  const tl = timeline(roomId);
  if (tl.loadingOlder) {
    const wait = tl.loadingOlder;
    return to === undefined ? wait : wait.catch(() => {}).then(() => loadOlder(roomId, { to }));
  }
  if (!tl.loaded || !tl.hasOlder || tl.minSeq === null) return Promise.resolve();
  if (to !== undefined && tl.minSeq <= to) return Promise.resolve();
  const epoch = tl.epoch;
  const loading = (async () => {
    do {
      const limit = to === undefined ? PAGE : Math.min(CATCH_UP_PAGE, tl.minSeq - to);
      const page = await api.messages(roomId, { before: tl.minSeq, limit });
      if (tl.epoch !== epoch) return; // the range was replaced meanwhile
      addMessages(roomId, page, { silent: true });
      tl.hasOlder = page.length === limit && page.length > 0 && page[0].seq > 1;
    } while (to !== undefined && tl.hasOlder && tl.minSeq > to);
  })().finally(() => {
    if (tl.loadingOlder !== loading) return;
    tl.loadingOlder = null;
    emit('timeline', roomId);
  });
  tl.loadingOlder = loading;
  emit('timeline', roomId);
  return loading;
}

/** The newest seq known of a room (from its summary), or 0. */
const newestKnown = (roomId) => state.rooms.get(roomId)?.last_message?.seq ?? 0;

/**
 * In a window (`hasNewer`): the page after the newest message held; with `to`, newer
 * pages until the message `to` is held. Reaching the room's newest message ends the
 * window: from then on live messages join the range as elsewhere.
 */
export function loadNewer(roomId, { to } = {}) {
  const tl = timeline(roomId);
  if (tl.loadingNewer) {
    const wait = tl.loadingNewer;
    return to === undefined ? wait : wait.catch(() => {}).then(() => loadNewer(roomId, { to }));
  }
  if (!tl.loaded || !tl.hasNewer) return Promise.resolve();
  if (to !== undefined && tl.maxSeq >= to) return Promise.resolve();
  const epoch = tl.epoch;
  const loading = (async () => {
    do {
      const limit = to === undefined ? PAGE : Math.min(CATCH_UP_PAGE, to - tl.maxSeq);
      const page = await api.messages(roomId, { after: tl.maxSeq, limit });
      if (tl.epoch !== epoch) return; // the range was replaced meanwhile
      addMessages(roomId, page, { silent: true });
      if (page.length < limit || tl.maxSeq >= newestKnown(roomId)) tl.hasNewer = false;
    } while (to !== undefined && tl.hasNewer && tl.maxSeq < to);
    // The newest is held: anything that came while the pages were on their way.
    if (!tl.hasNewer) await catchUp(roomId);
  })().finally(() => {
    if (tl.loadingNewer !== loading) return;
    tl.loadingNewer = null;
    emit('timeline', roomId);
  });
  tl.loadingNewer = loading;
  emit('timeline', roomId);
  return loading;
}

/**
 * Replaces the range held by a window of messages around `seq`, for a message too far
 * back to load everything since. The outbox stays.
 */
async function openWindow(roomId, seq) {
  const tl = timeline(roomId);
  tl.epoch += 1; // pages on their way for the old range are dropped
  const epoch = tl.epoch;
  const limit = 2 * CONTEXT + 1;
  const page = await api.messages(roomId, { after: Math.max(0, seq - CONTEXT - 1), limit });
  if (tl.epoch !== epoch) return;
  clearRange(tl);
  addMessages(roomId, page, { silent: true });
  tl.loaded = true;
  tl.hasOlder = page.length > 0 && page[0].seq > 1;
  tl.hasNewer = page.length === limit && tl.maxSeq < newestKnown(roomId);
  emit('timeline', roomId);
  if (!tl.hasNewer) await catchUp(roomId);
}

/**
 * Makes sure a room's message `seq` is held, with some messages around it, for a jump to
 * it (a search result): older pages down to it when it is at most FILL_MAX before the
 * oldest held (the range still reaches the newest), else a window around it. Resolves to
 * whether it is held now.
 */
export async function loadAround(roomId, seq) {
  await ensureTimeline(roomId);
  const tl = timeline(roomId);
  if (tl.bySeq.has(seq)) return true;
  if (tl.minSeq === null || seq > tl.maxSeq) {
    // Newer than the range: it came after the range was read, or lies past a window.
    if (!tl.hasNewer) await catchUp(roomId);
    else if (seq - tl.maxSeq <= FILL_MAX) await loadNewer(roomId, { to: seq + CONTEXT });
    else await openWindow(roomId, seq);
  } else if (seq < tl.minSeq) {
    if (tl.minSeq - seq <= FILL_MAX) await loadOlder(roomId, { to: Math.max(1, seq - CONTEXT) });
    else await openWindow(roomId, seq);
  }
  return timeline(roomId).bySeq.has(seq);
}

/** Leaves a window for the room's newest messages (loaded again from the latest page). */
export function showLatest(roomId) {
  const tl = state.timelines.get(roomId);
  if (!tl?.hasNewer) return Promise.resolve();
  clearRange(tl);
  emit('timeline', roomId);
  return ensureTimeline(roomId);
}

// ---- reading ----------------------------------------------------------------------------

let viewingCheck = () => false;
/** The chat view tells whether a room's newest messages are on screen right now. */
export function setViewingCheck(fn) {
  viewingCheck = fn;
}
export const isViewing = (roomId) => state.openRoomId === roomId && viewingCheck(roomId);

const readTimers = new Map();
const readSent = new Map(); // roomId -> seq last sent

/** Moves my read marker to the newest message held (debounced; never backwards). */
export function markRead(roomId) {
  const tl = state.timelines.get(roomId);
  const room = state.rooms.get(roomId);
  if (!tl || !room || !tl.maxSeq) return;
  const seq = tl.maxSeq;
  if (room.unread_count || room.mention_count || (room.last_read_seq ?? 0) < seq) {
    room.last_read_seq = Math.max(room.last_read_seq ?? 0, seq);
    room.unread_count = Math.max(0, (room.last_message?.seq ?? 0) - room.last_read_seq);
    recountMentions(room);
    emit('rooms');
  }
  if ((readSent.get(roomId) ?? 0) >= seq) return;
  clearTimeout(readTimers.get(roomId));
  readTimers.set(
    roomId,
    setTimeout(async () => {
      readTimers.delete(roomId);
      if ((readSent.get(roomId) ?? 0) >= seq) return;
      readSent.set(roomId, seq);
      try {
        const res = await api.markRead(roomId, seq);
        if (res.status === 200 && res.data) applyReadMarker(res.data);
      } catch (e) {
        readSent.delete(roomId);
        console.warn('marking read failed', e.message);
      }
    }, 250),
  );
}

export function resetReadState() {
  for (const t of readTimers.values()) clearTimeout(t);
  readTimers.clear();
  readSent.clear();
}

// ---- live events ------------------------------------------------------------------------

/** Applies one event from the stream (API.md "The event stream"). */
export function applyEvent(name, data) {
  switch (name) {
    case 'message':
      return onMessage(data);
    case 'message_updated':
      return replaceMessage(data);
    case 'reaction':
      return applyReaction(data);
    case 'room_settings':
      return applyRoomSettings(data);
    case 'room':
      return onRoom(data);
    case 'member':
      return onMember(data);
    case 'read':
      return applyReadMarker(data);
    case 'friend':
      return friendChanged(data.change, data.user);
    case 'profile':
      if (data?.id === state.me?.id) setMe(data);
      return undefined;
    case 'result':
      return handleResult(data);
    case 'reset':
      return resync().catch((e) => notify(e.message, 'error'));
    default:
      return applyPeopleEvent(name, data); // typing, presence, invitations, blocks, settings
  }
}

function onMessage(m) {
  noteMessage(m); // its author stopped typing
  if (!state.rooms.has(m.room_id)) {
    // A room I was just added to: learn it from the list.
    refreshRooms().catch(() => {});
    return;
  }
  const tl = state.timelines.get(m.room_id);
  if (tl?.loaded) {
    if (m.seq <= tl.maxSeq + 1) addMessages(m.room_id, [m]);
    else catchUp(m.room_id).catch(() => {}); // a gap: fetch what is missing in order
  }
  const viewing = isViewing(m.room_id);
  noteMessageInSummary(m, { viewing });
  if (viewing) markRead(m.room_id);
}

function onRoom({ change, room }) {
  if (change === 'deleted') {
    const known = state.rooms.get(room.id);
    if (known) {
      const wasOpen = state.openRoomId === room.id;
      removeRoom(room.id);
      if (wasOpen || room.owner_id !== state.me?.id) notify(`“${known.name}” was deleted`);
    }
    return;
  }
  upsertRoom(room);
  emit('members', room.id);
}

function onMember({ change, room_id, user }) {
  const mine = user?.id === state.me?.id;
  if (mine && (change === 'left' || change === 'removed')) {
    const known = state.rooms.get(room_id);
    removeRoom(room_id);
    if (known && change === 'removed') notify(`You were removed from “${known.name}”`);
    return;
  }
  if (mine && change === 'joined') {
    refreshRooms().catch(() => {});
    return;
  }
  // Someone else joined or left: refresh the member count and any open member list.
  if (state.rooms.has(room_id)) {
    api
      .room(room_id)
      .then((detail) => {
        const { members, ...room } = detail;
        upsertRoom(room);
        emit('members', room_id);
      })
      .catch(() => {});
  }
}
