// stream.js: owns the live transport and the connection state shown in the indicator.
// SSE (default): one EventSource on /api/events; the browser resumes with Last-Event-ID
// by itself, and a stream that was not resumed (or a `reset`) triggers a resync over
// HTTP. When the browser gives up (a non-200 answer), a new EventSource is opened with
// backoff. Polling: every second the open room is fetched with `after=<last seq>`, and
// every few seconds the room list and the open room's latest page (edits, deletions and
// reactions). States: live, reconnecting, polling, offline.

import * as api from './api.js';
import { state, setConnection } from './store.js';
import { applyEvent, resync, catchUp, refreshRooms, refreshRecent } from './sync.js';
import { retryUnsent } from './outbox.js';
import { PEOPLE_EVENTS } from './people.js';

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

let es = null;
let reopenTimer = null;
let backoff = 1000;
let pollTimer = null;
let pollTick = 0;
let running = false;
let onSignedOut = () => {};

export function startTransport({ signedOut } = {}) {
  if (signedOut) onSignedOut = signedOut;
  stopTransport();
  running = true;
  if (state.settings.transport === 'polling') startPolling();
  else openStream();
}

export function stopTransport() {
  running = false;
  clearTimeout(reopenTimer);
  clearTimeout(pollTimer);
  reopenTimer = pollTimer = null;
  if (es) {
    es.close();
    es = null;
  }
  setConnection('offline');
}

/** Switches between 'sse' and 'polling' at once. */
export function restartTransport() {
  if (state.me) startTransport();
}

// ---- SSE --------------------------------------------------------------------------------

function openStream() {
  setConnection('reconnecting');
  const source = new EventSource('/api/events');
  es = source;
  source.addEventListener('ready', (e) => {
    if (es !== source) return;
    backoff = 1000;
    let data = {};
    try {
      data = JSON.parse(e.data);
    } catch {
      /* keep defaults */
    }
    setConnection('live');
    console.debug(`parley: event stream ready (resumed: ${Boolean(data.resumed)})`);
    if (data.resumed) retryUnsent();
    else resync().catch((err) => console.warn('resync failed', err.message));
  });
  for (const name of EVENTS) {
    source.addEventListener(name, (e) => {
      if (es !== source) return;
      let data;
      try {
        data = JSON.parse(e.data);
      } catch {
        console.warn('bad event data', name);
        return;
      }
      applyEvent(name, data);
    });
  }
  // The server ended this stream for good (too many open for this session or user): do
  // not reconnect by ourselves, or tabs would take turns evicting each other; reconnect
  // when the user comes back to this tab.
  source.addEventListener('stream_closed', (e) => {
    if (es !== source) return;
    console.info('parley: event stream closed by the server:', e.data);
    source.close();
    es = null;
    setConnection('offline');
    const comeBack = () => {
      if (document.visibilityState !== 'visible') return;
      document.removeEventListener('visibilitychange', comeBack);
      if (running && !es) openStream();
    };
    document.addEventListener('visibilitychange', comeBack);
  });
  source.onerror = () => {
    if (es !== source) return;
    if (source.readyState === EventSource.CLOSED) {
      // The browser stopped retrying (the server answered with an error): find out why.
      console.debug('parley: event stream closed; opening a new one');
      es = null;
      setConnection('reconnecting');
      scheduleReopen();
    } else {
      setConnection('reconnecting'); // the browser reconnects with Last-Event-ID itself
    }
  };
}

function scheduleReopen() {
  clearTimeout(reopenTimer);
  reopenTimer = setTimeout(async () => {
    if (!running) return;
    try {
      await api.me({ auth: false });
    } catch (e) {
      if (e.status === 401) {
        onSignedOut();
        return;
      }
    }
    if (running && !es && state.settings.transport !== 'polling') openStream();
  }, backoff);
  backoff = Math.min(backoff * 2, 15000);
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
