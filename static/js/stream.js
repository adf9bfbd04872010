// stream.js: owns the live transport and the connection state shown in the indicator.
// SSE (default): the store is first filled from GET /api/sync, then one event stream per
// browser: the leader tab (tabs.js) opens /api/events?cursor=<the sync's cursor or the
// last event id> and relays every event and its connection state to the other tabs, which
// apply them as their own; when it closes, another tab takes over from the last id it
// heard. Without Web Locks or BroadcastChannel every tab has its own stream. An event
// applied already (its id, a cursor of offsets, at or before ours) is dropped. The stream
// is opened again at once when it falls silent for two keep-alive periods, when the
// browser is back online, or when the page shows after long hidden; after the delay a
// `reconnect` (a gateway draining) asks for; after a jittered backoff when refused (e.g.
// 503 at capacity). `reset`, or a stream not resumed, loads everything again. Polling
// (per tab): every second the open room is fetched with `after=<last seq>`, and every few
// seconds the room list and the open room's latest page. States: live, reconnecting,
// polling, offline.

import * as api from './api.js';
import { state, on, setConnection } from './store.js';
import { resync, catchUp, refreshRooms, refreshRecent, applyEvent } from './sync.js';
import { retryUnsent } from './outbox.js';
import { PEOPLE_EVENTS } from './people.js';
import { canShare, joinTabs } from './tabs.js';

const EVENTS = [
  'message',
  'message_updated',
  'reaction',
  'room',
  'member',
  'read',
  'room_settings',
  'friend',
  'profile',
  'result',
  'reset',
  ...PEOPLE_EVENTS,
];
const POLL_MS = 1000;
const POLL_ROOMS_EVERY = 3; // ticks
const BACKOFF_FIRST_MS = 1500;
const BACKOFF_MAX_MS = 30000;
const DEFAULT_KEEPALIVE_MS = 10000; // until a `ready` tells
const IDS_KEPT = 1000;

let running = false;
let generation = 0; // bumped by every start and stop: late callbacks of an old one do nothing
let onSignedOut = () => {};
let pollTimer = null;
let pollTick = 0;

// This tab's part: 'leader' (holds the stream for all tabs), 'follower' (hears it from
// the leader), 'solo' (its own stream: no sharing in this browser), null (stopped, polling).
let role = null;
let tabs = null; // joinTabs() handle
let pending = null; // relayed messages heard before the first sync was applied
let leaderState = 'reconnecting';
let leaderSince = 0; // when the leader whose state is shown took over (a newer one wins)

// The stream this tab holds (leader or solo).
let es = null;
let reopenTimer = null;
let watchdog = null;
let refusals = 0; // in a row, for the backoff
let keepaliveMs = 0; // from `ready`; 0 while the server sends no keepalive events
let lastLife = 0; // when its last event came
let closedByServer = false; // `stream_closed`: reopened only when someone comes back
let netDown = typeof navigator !== 'undefined' && navigator.onLine === false;
let hiddenAt = 0;

// Where this tab is in the event stream: the cursor to resume from, and (ids being one
// offset per partition, joined by '.') the offsets applied, to drop events seen already.
let lastEventId = null;
let position = null;
const ids = new Set();

export function startTransport({ signedOut } = {}) {
  if (signedOut) onSignedOut = signedOut;
  stopTransport();
  mountOnce();
  running = true;
  lastEventId = position = null;
  ids.clear();
  if (state.settings.transport === 'polling') startPolling();
  else startLive(generation);
}

export function stopTransport() {
  running = false;
  generation += 1;
  clearTimeout(reopenTimer);
  clearTimeout(pollTimer);
  reopenTimer = pollTimer = null;
  dropStream();
  if (tabs) {
    if (role === 'leader') tabs.post({ t: 'state', value: 'reconnecting', since: leaderSince });
    tabs.leave();
    tabs = null;
  }
  role = null;
  pending = null;
  closedByServer = false;
  refusals = 0;
  setConnection('offline');
}

/** Switches between 'sse' and 'polling' at once. */
export function restartTransport() {
  if (state.me) startTransport();
}

const holdsStream = () => running && (role === 'leader' || role === 'solo');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Jittered exponential backoff: about 1.5 s, 3 s, 6 s … at most 30 s. */
function backoff(n) {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** n);
  return Math.round(Math.min(BACKOFF_MAX_MS, Math.max(1000, base * (0.75 + Math.random() * 0.5))));
}

// ---- start ------------------------------------------------------------------------------

async function startLive(gen) {
  setConnection(netDown ? 'offline' : 'reconnecting');
  const share = canShare() && Boolean(state.me?.id);
  if (share) {
    role = 'follower';
    pending = [];
    leaderState = 'reconnecting';
    leaderSince = 0;
    // Listen before loading: what the leader relays from now on is kept for after.
    tabs = joinTabs(state.me.id, hear);
    tabs.post({ t: 'hello' });
  }
  const cursor = await firstSync(gen);
  if (gen !== generation) return;
  advance(cursor);
  if (share) {
    const heard = pending;
    pending = null;
    for (const m of heard) deliver(m.name, m.data, m.id);
    show(leaderState);
    tabs.elect(() => lead(gen));
  } else {
    role = 'solo';
    openStream();
  }
}

/** GET /api/sync until it works (or the transport stops); its cursor. */
async function firstSync(gen) {
  for (let n = 0; ; n += 1) {
    try {
      return await resync();
    } catch (e) {
      if (gen !== generation) return null;
      console.warn(`parley: loading failed (${e.message}); trying again`);
    }
    await sleep(backoff(n));
    if (gen !== generation) return null;
  }
}

/** Loads everything again (`reset`, a stream not resumed) and moves to its cursor. */
function syncAgain() {
  const gen = generation;
  resync()
    .then((cursor) => gen === generation && advance(cursor))
    .catch((err) => console.warn('resync failed', err.message));
}

// ---- event ids --------------------------------------------------------------------------

const offsets = (id) => (/^\d+(\.\d+)*$/.test(id) ? id.split('.').map(Number) : null);

/** Whether the event `id` was applied already: its cursor is at or before ours. */
function applied(id) {
  if (ids.has(id)) return true;
  const c = offsets(id);
  return Boolean(c && position && c.length === position.length && c.every((o, i) => o <= position[i]));
}

/** Moves past `id`: an event applied, or the cursor a sync was read at. */
function advance(id) {
  if (!id) return;
  ids.add(id);
  if (ids.size > IDS_KEPT) ids.delete(ids.values().next().value);
  const c = offsets(id);
  if (c && position && c.length === position.length) {
    position = position.map((o, i) => Math.max(o, c[i]));
    lastEventId = position.join('.');
  } else {
    position = c;
    lastEventId = id;
  }
}

/** One event, from this tab's stream or relayed by the leader: applied once. */
function deliver(name, raw, id) {
  if (id) {
    if (applied(id)) return;
    advance(id);
  }
  let data;
  try {
    data = raw ? JSON.parse(raw) : {};
  } catch {
    console.warn('bad event data', name);
    return;
  }
  if (name === 'ready') onReady(data);
  else if (name === 'reset') syncAgain();
  else applyEvent(name, data);
}

function onReady(data) {
  if (data.keepalive_secs > 0) keepaliveMs = data.keepalive_secs * 1000;
  const where = data.gateway ? ` on gateway ${data.gateway}` : '';
  console.debug(`parley: event stream ready (resumed: ${Boolean(data.resumed)})${where}`);
  if (data.resumed) retryUnsent();
  else syncAgain();
}

// ---- the tabs ---------------------------------------------------------------------------

function lead(gen) {
  if (gen !== generation || role !== 'follower') return;
  role = 'leader';
  leaderSince = Date.now();
  console.debug('parley: this tab holds the event stream for the other tabs');
  openStream();
}

/** A message from another tab of mine. */
function hear(m) {
  switch (m?.t) {
    case 'hello': // a tab just opened: tell it how the stream is
      if (role === 'leader') tabs.post({ t: 'state', value: state.connection, since: leaderSince });
      break;
    case 'wake': // a tab shows again: look whether the stream still lives
      if (role === 'leader') wake({ own: false, long: Boolean(m.long) });
      break;
    case 'state':
      if (role !== 'follower' || (m.since ?? 0) < leaderSince) break;
      leaderSince = m.since ?? 0;
      leaderState = m.value;
      if (!pending) show(leaderState);
      break;
    case 'event':
      if (!role || role === 'solo') break;
      if (pending) pending.push(m);
      else deliver(m.name, m.data, m.id);
      break;
    default:
      break;
  }
}

/** A follower shows the leader's state, or offline while this browser is. */
function show(value) {
  setConnection(netDown ? 'offline' : pending ? 'reconnecting' : value);
}

function relay(name, data, id) {
  if (role === 'leader') tabs.post({ t: 'event', name, data, id });
}

// ---- the stream this tab holds ----------------------------------------------------------

function openStream() {
  clearTimeout(reopenTimer);
  reopenTimer = null;
  if (!holdsStream() || es) return;
  if (netDown) {
    setConnection('offline'); // opened again when the browser is back online
    return;
  }
  closedByServer = false;
  setConnection('reconnecting');
  const url = lastEventId ? `/api/events?cursor=${encodeURIComponent(lastEventId)}` : '/api/events';
  const source = new EventSource(url);
  es = source;
  armWatchdog();
  // An event without `id:` repeats the last id in `lastEventId`: only a new one is its own.
  let lastId = '';
  const idOf = (e) => {
    const id = e.lastEventId && e.lastEventId !== lastId ? e.lastEventId : '';
    lastId = e.lastEventId;
    return id;
  };
  const mine = (fn) => (e) => {
    if (es === source) fn(e);
  };

  source.addEventListener(
    'ready',
    mine((e) => {
      refusals = 0;
      setConnection('live');
      relay('ready', e.data, '');
      deliver('ready', e.data, '');
      alive();
    }),
  );
  source.addEventListener('keepalive', mine(alive));
  for (const name of EVENTS) {
    source.addEventListener(
      name,
      mine((e) => {
        alive();
        const id = idOf(e);
        relay(name, e.data, id);
        deliver(name, e.data, id);
      }),
    );
  }
  // The gateway is draining (a deploy): come back after the pause it asks for, from the
  // last id, most likely to another gateway.
  source.addEventListener(
    'reconnect',
    mine((e) => {
      let data = {};
      try {
        data = JSON.parse(e.data);
      } catch {
        /* no pause given */
      }
      const after = Math.min(Math.max(Number(data.after_ms) || 0, 0), 60000);
      console.info(`parley: the server asked to reconnect in ${after} ms (${data.reason || 'no reason given'})`);
      dropStream();
      setConnection('reconnecting');
      reopenTimer = setTimeout(openStream, after);
    }),
  );
  // The server ended this stream for good (too many open for this session or user): do
  // not reconnect by ourselves, or browsers would take turns evicting each other; reconnect
  // when the user comes back to one of the tabs.
  source.addEventListener(
    'stream_closed',
    mine((e) => {
      console.info('parley: event stream closed by the server:', e.data);
      dropStream();
      closedByServer = true;
      setConnection('offline');
    }),
  );
  source.onerror = mine(() => {
    if (source.readyState === EventSource.CLOSED) {
      // The browser gave up: the server answered with an error (503 at capacity, 429, 401).
      console.debug('parley: event stream refused; opening a new one after a pause');
      dropStream();
      setConnection(netDown ? 'offline' : 'reconnecting');
      scheduleReopen();
    } else {
      setConnection(netDown ? 'offline' : 'reconnecting'); // the browser retries with Last-Event-ID
    }
  });
}

function dropStream() {
  clearTimeout(watchdog);
  watchdog = null;
  if (es) {
    es.close();
    es = null;
  }
}

/** A sign of life: the stream is dead when none comes for two keep-alive periods. */
function alive() {
  lastLife = Date.now();
  armWatchdog();
}

function armWatchdog() {
  clearTimeout(watchdog);
  watchdog = null;
  if (!keepaliveMs || !es) return;
  watchdog = setTimeout(() => {
    watchdog = null;
    if (!es) return;
    console.info(`parley: nothing on the event stream for ${(2 * keepaliveMs) / 1000} s; reconnecting`);
    reconnectNow();
  }, 2 * keepaliveMs);
}

/** Closes the stream and opens a new one at once, from the last event id. */
function reconnectNow() {
  if (!holdsStream()) return;
  dropStream();
  refusals = 0;
  openStream();
}

function scheduleReopen() {
  clearTimeout(reopenTimer);
  const gen = generation;
  reopenTimer = setTimeout(async () => {
    if (gen !== generation || !holdsStream()) return;
    try {
      await api.me({ auth: false });
    } catch (e) {
      if (e.status === 401) {
        onSignedOut();
        return;
      }
    }
    if (gen === generation) {
      reopenTimer = null;
      openStream();
    }
  }, backoff(refusals));
  refusals += 1;
}

/** This page (`own`) or another tab shows again; `long`: it was hidden a long time. */
function wake({ own, long }) {
  if (!holdsStream() || netDown) return;
  if (closedByServer) {
    console.debug('parley: someone is back; opening the event stream again');
    reconnectNow();
    return;
  }
  const silent = Date.now() - lastLife > 2 * (keepaliveMs || DEFAULT_KEEPALIVE_MS);
  if (long && (own || (keepaliveMs && silent))) {
    console.debug('parley: the page shows again after long hidden; reconnecting');
    reconnectNow();
  }
}

// ---- the browser's own signals ----------------------------------------------------------

let mounted = false;
function mountOnce() {
  if (mounted) return;
  mounted = true;
  // The leader tells the others every change of its stream's state.
  on('connection', ({ value }) => {
    if (role === 'leader') tabs?.post({ t: 'state', value, since: leaderSince });
  });
  window.addEventListener('offline', () => {
    netDown = true;
    if (!running || !role) return; // polling finds out by itself
    if (holdsStream()) {
      dropStream();
      clearTimeout(reopenTimer);
      reopenTimer = null;
    }
    setConnection('offline');
  });
  window.addEventListener('online', () => {
    netDown = false;
    if (!running || !role) return;
    if (role === 'follower') show(leaderState);
    else if (!closedByServer) reconnectNow();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') {
      hiddenAt = Date.now();
      return;
    }
    const long = hiddenAt > 0 && Date.now() - hiddenAt > 2 * (keepaliveMs || DEFAULT_KEEPALIVE_MS);
    hiddenAt = 0;
    if (!running) return;
    if (role === 'follower') tabs?.post({ t: 'wake', long });
    else wake({ own: true, long });
  });
  // A leader that goes away says so; another tab takes over and says how it goes.
  window.addEventListener('pagehide', () => {
    if (role === 'leader') tabs?.post({ t: 'state', value: 'reconnecting', since: leaderSince });
  });
}

// ---- polling ----------------------------------------------------------------------------

function startPolling() {
  setConnection('polling');
  pollTick = 0;
  resync()
    .catch(() => setConnection('reconnecting'))
    .finally(() => {
      if (running) pollTimer = setTimeout(poll, POLL_MS);
    });
}

async function poll() {
  if (!running) return;
  pollTick += 1;
  try {
    const jobs = [];
    if (state.openRoomId) jobs.push(catchUp(state.openRoomId));
    if (pollTick % POLL_ROOMS_EVERY === 0) {
      jobs.push(refreshRooms());
      if (state.openRoomId) jobs.push(refreshRecent(state.openRoomId));
    }
    await Promise.all(jobs);
    if (state.connection !== 'polling') {
      setConnection('polling');
      retryUnsent();
      await refreshRooms();
    }
  } catch (e) {
    if (e.status === 401) {
      onSignedOut();
      return;
    }
    if (e.network) setConnection('reconnecting');
    else refreshRooms().catch(() => {}); // e.g. removed from the open room
  }
  if (running && state.settings.transport === 'polling') pollTimer = setTimeout(poll, POLL_MS);
}
