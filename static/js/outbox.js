// outbox.js: owns sending messages. A message shows at once as pending (keyed by its
// client_id), is confirmed by its `result` event (matched by request_id) or by the
// `message` itself, and on failure stays on screen with the reason and a retry that
// reuses the same client_id, so the server never stores it twice. Messages that failed
// because the server was unreachable are sent again by themselves once it is back, and
// messages refused for sending too fast (429) are sent again after Retry-After. A reply
// carries the quoted message's preview while pending, and its id (`reply_to`) when sent.

import * as api from './api.js';
import { state, emit, timeline, addMessages, noteMessageInSummary } from './store.js';
import { catchUp } from './sync.js';
import { uuid, preview } from './format.js';

const CONFIRM_TIMEOUT_MS = 30000;
const MAX_RATE_RETRIES = 5;
const byRequest = new Map(); // request_id -> pending message
const early = new Map(); // request_id -> result event that beat its 202 answer

const isCurrent = (p) => state.timelines.get(p.room_id)?.pending.get(p.client_id) === p;

/** `replyTo` is the message this one answers, or null. */
export function send(roomId, body, replyTo = null) {
  const p = {
    client_id: uuid(),
    room_id: roomId,
    body,
    reply_to: replyTo
      ? { id: replyTo.id, seq: replyTo.seq, author: replyTo.author, excerpt: preview(replyTo.body, 140), deleted: Boolean(replyTo.deleted) }
      : null,
    status: 'pending', // 'pending' | 'failed'
    error: null,
    reason: null, // 'network' | 'timeout' | 'rejected'
    created_at: new Date().toISOString(),
    attempts: 0,
  };
  timeline(roomId).pending.set(p.client_id, p);
  emit('timeline', roomId);
  post(p);
  return p;
}

export function retry(roomId, clientId) {
  const p = state.timelines.get(roomId)?.pending.get(clientId);
  if (p && p.status === 'failed') {
    p.rateLimited = 0;
    post(p);
  }
}

/** Sends again every message that failed for want of a connection (called when back). */
export function retryUnsent() {
  for (const tl of state.timelines.values()) {
    for (const p of tl.pending.values()) {
      if (p.status === 'failed' && (p.reason === 'network' || p.reason === 'timeout')) post(p);
    }
  }
}

/** Drops a failed message the user gave up on. */
export function discard(roomId, clientId) {
  const tl = state.timelines.get(roomId);
  if (tl?.pending.delete(clientId)) emit('timeline', roomId);
}

async function post(p) {
  p.status = 'pending';
  p.error = null;
  p.reason = null;
  const attempt = ++p.attempts;
  emit('timeline', p.room_id);
  clearTimeout(p.timer);
  p.timer = setTimeout(() => {
    if (isCurrent(p) && p.status === 'pending' && p.attempts === attempt) {
      fail(p, 'No confirmation from the server yet', 'timeout');
    }
  }, CONFIRM_TIMEOUT_MS);
  // With a live stream the outcome comes as a `result` event; otherwise wait for it inline.
  const wait = state.connection === 'live' ? undefined : api.WAIT;
  try {
    const res = await api.sendMessage(p.room_id, p.body, p.client_id, wait, p.reply_to?.id);
    if (res.status === 202) {
      const rid = res.data?.request_id;
      if (!rid) return;
      byRequest.set(rid, p);
      const result = early.get(rid);
      if (result) {
        early.delete(rid);
        handleResult(result);
      }
    } else if (res.data?.seq) {
      confirm(res.data);
    }
  } catch (e) {
    if (!isCurrent(p) || p.attempts !== attempt) return;
    if (e.code === 'rate_limited' && (p.rateLimited = (p.rateLimited || 0) + 1) <= MAX_RATE_RETRIES) {
      // Sending too fast: stay pending and send again when the server says we may.
      clearTimeout(p.timer);
      p.timer = setTimeout(() => isCurrent(p) && p.attempts === attempt && post(p), 1000 * Math.min(e.retryAfter || 1, 10));
      return;
    }
    if (e.network) fail(p, "Can't reach the server. It will be sent when the connection is back", 'network');
    else fail(p, e.message, 'rejected');
  }
}

function fail(p, message, reason) {
  clearTimeout(p.timer);
  p.status = 'failed';
  p.error = message;
  p.reason = reason;
  emit('timeline', p.room_id);
}

function confirm(m) {
  const tl = timeline(m.room_id);
  const p = m.client_id ? tl.pending.get(m.client_id) : null;
  if (p) clearTimeout(p.timer);
  if (tl.loaded && m.seq <= tl.maxSeq + 1) {
    addMessages(m.room_id, [m]);
  } else if (p) {
    // Others' messages came first and have not reached us yet: fetch them all in order;
    // the pending bubble turns into the stored message when it arrives.
    p.status = 'pending';
    catchUp(m.room_id).catch(() => {});
  }
  noteMessageInSummary(m, { viewing: false });
}

/** A `result` event: the outcome of a message I sent without waiting. */
export function handleResult(r) {
  if (!r?.request_id) return;
  const p = byRequest.get(r.request_id);
  if (!p) {
    early.set(r.request_id, r);
    if (early.size > 200) early.delete(early.keys().next().value);
    return;
  }
  byRequest.delete(r.request_id);
  if (!isCurrent(p)) return;
  if (r.status < 400) {
    if (r.body?.seq) confirm(r.body);
  } else {
    fail(p, api.resultError(r.status, r.body).message, 'rejected');
  }
}

export function resetOutbox() {
  byRequest.clear();
  early.clear();
}
