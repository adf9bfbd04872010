// views/chat.js: owns the conversation view: the room header, the message list (history
// with scroll-back, live messages, day separators, the "New" divider, grouping by author,
// own messages on the right, pending and failed bubbles with retry, tombstones, the
// "(edited)" mark, messages from people I block collapsed, and where each message's menu,
// quote, reactions and editor go; "Seen by" under my latest message; an author's name
// opens their profile), the typing line, the composer (Enter sends, Shift+Enter breaks the
// line, IME-safe for Korean input, Up arrow edits my last message, Escape drops the reply;
// typing tells the others) and read marking while the newest messages are on screen;
// opening a room at one message (a search result): the history around it loaded, the
// message scrolled into view and highlighted for a moment, and, when it lies in a window
// far back, newer pages as one scrolls down and a "Jump to latest" button.

import { $, h, replace, setText } from '../dom.js';
import { icon } from '../icons.js';
import { state, on, emit, notify, timeline, confirmed, mentionsMe } from '../store.js';
import { ensureTimeline, loadOlder, loadNewer, loadAround, showLatest, markRead, setViewingCheck } from '../sync.js';
import { send, retry, discard } from '../outbox.js';
import { displayName, time, fullTime, dayKey, dayLabel, isJumboEmoji, plural } from '../format.js';
import { avatar, roomAvatar } from './avatar.js';
import { connectionIndicator } from './connection.js';
import { openRoomInfo } from './room-info.js';
import { messageMenu, touchMenu, canDelete } from './message-menu.js';
import { reactionChips, pickerFor } from './reactions.js';
import { mountReplyBar, startReply, cancelReply, takeReply, replyQuote } from './reply.js';
import { attachMentions, appendBody, mountMentions, membersVersion } from './mentions.js';
import { editor, editingId, startEdit, lastOwnMessage, onEditEnd } from './message-edit.js';
import { mountSeen, seenBy, seenText } from './seen.js';
import { noteComposing, composed } from '../typing.js';
import { typingLine } from './typing-line.js';
import { isCollapsed, collapsedBody } from './blocked.js';
import { openProfile } from './profile.js';

const MAX_BODY = 4000;
const GROUP_GAP_MS = 5 * 60 * 1000;
const NEAR_BOTTOM_PX = 80;
const NEAR_TOP_PX = 150;
const FLASH_MS = 2000;

let els = {};
let nodes = new Map(); // key -> {li, sig}
let renderedRoom = null;
let renderedLive = true; // whether the list last drawn ended at the room's newest message
let flash = null; // {id, timer}: the message highlighted after a jump to it
let jumps = 0; // the latest jump to a message (an earlier one still loading gives way)
const drafts = new Map();

export function mountChat() {
  const root = $('#chat');
  els.empty = h(
    'div',
    { class: 'chat-empty' },
    h('div', { class: 'chat-empty-art', 'aria-hidden': 'true' }, icon('logo')),
    h('h2', { text: 'Pick a room to start chatting' }),
    h('p', { text: 'Your rooms are on the left. New here? Create a room and invite your friends, or discover a public one.' }),
  );
  els.back = h('button', { class: 'icon-btn back-btn', type: 'button', 'aria-label': 'Back to rooms', on: { click: () => (location.hash = '#/') } }, icon('back'));
  els.roomAvatar = h('span', { class: 'chat-avatar' });
  els.title = h('h2', { class: 'chat-title', id: 'chat-title' });
  els.meta = h('p', { class: 'chat-meta' });
  els.info = h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'Room details and members', title: 'Room details', on: { click: () => state.openRoomId && openRoomInfo(state.openRoomId) } }, icon('info'));
  els.top = h('div', { class: 'history-top' });
  els.list = h('ol', { class: 'message-list', id: 'message-list' });
  els.bottom = h('div', { class: 'history-bottom', hidden: true });
  els.scroller = h(
    'div',
    { class: 'chat-scroll', id: 'messages', tabindex: '0', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-labelledby': 'chat-title' },
    els.top,
    els.list,
    els.bottom,
  );
  els.jumpText = h('span', { text: 'New messages' });
  els.jump = h('button', { class: 'jump-btn', type: 'button', hidden: true, on: { click: onJump } }, icon('arrowDown'), els.jumpText);
  els.input = h('textarea', { id: 'composer-input', rows: '1', autocomplete: 'off', 'aria-describedby': 'composer-hint' });
  // Before the composer's own keydown handler: an open member list takes Enter first.
  els.mentions = attachMentions(els.input);
  els.sendBtn = h('button', { class: 'send-btn', type: 'submit', 'aria-label': 'Send message', title: 'Send (Enter)' }, icon('send'));
  els.counter = h('span', { class: 'composer-count', 'aria-live': 'polite' });
  els.form = h(
    'form',
    { class: 'composer', on: { submit: onSubmit } },
    h('label', { for: 'composer-input', class: 'sr-only', text: 'Message' }),
    els.mentions,
    mountReplyBar(els.input),
    h('div', { class: 'composer-box' }, els.input, els.sendBtn),
    h('p', { class: 'composer-hint', id: 'composer-hint' }, h('span', { text: 'Enter to send · Shift+Enter for a new line · @ to mention · ↑ to edit' }), els.counter),
  );
  els.room = h(
    'section',
    { class: 'chat-room', hidden: true, 'aria-labelledby': 'chat-title' },
    h(
      'header',
      { class: 'chat-head' },
      els.back,
      els.roomAvatar,
      h('div', { class: 'chat-heading' }, els.title, els.meta),
      connectionIndicator('conn-compact'),
      els.info,
    ),
    h('div', { class: 'chat-body' }, els.scroller, els.jump, typingLine()),
    els.form,
  );
  replace(root, els.empty, els.room);

  els.input.addEventListener('keydown', onKeyDown);
  els.input.addEventListener('input', () => {
    autosize();
    updateCounter();
    if (state.openRoomId) drafts.set(state.openRoomId, els.input.value);
    noteComposing(state.openRoomId, els.input.value);
  });
  els.scroller.addEventListener('scroll', onScroll, { passive: true });
  document.addEventListener('visibilitychange', () => {
    if (state.openRoomId && isViewingNow()) markRead(state.openRoomId);
  });
  window.addEventListener('resize', () => {
    if (state.openRoomId && isViewingNow()) markRead(state.openRoomId);
  });

  setViewingCheck(() => isViewingNow());
  on('open', renderRoom);
  on('rooms', renderHeader);
  on('timeline', (roomId) => {
    if (roomId === state.openRoomId) renderMessages();
  });
  on('saved', () => state.openRoomId && renderMessages());
  mountMentions();
  mountSeen();
  onEditEnd(() => {
    if (state.openRoomId) els.input.focus({ preventScroll: true });
  });
}

// ---- opening a room ---------------------------------------------------------------------

/** Opens a room (called by the router on #/room/<id>). */
export function openRoom(roomId) {
  if (state.openRoomId === roomId) {
    focusComposerSoon();
    return;
  }
  const room = state.rooms.get(roomId);
  state.openRoomId = roomId;
  const tl = timeline(roomId);
  tl.unreadFrom = room && room.unread_count > 0 ? (room.last_read_seq ?? 0) + 1 : null;
  emit('open', roomId);
  ensureTimeline(roomId)
    .then(() => {
      if (state.openRoomId === roomId && isViewingNow()) markRead(roomId);
    })
    .catch((e) => {
      if (state.openRoomId === roomId) notify(`Could not load messages: ${e.message}`, 'error');
    });
}

export function closeRoom() {
  if (!state.openRoomId) return;
  state.openRoomId = null;
  emit('open', null);
}

function renderRoom() {
  const roomId = state.openRoomId;
  nodes = new Map();
  els.list.replaceChildren();
  renderedRoom = roomId;
  renderedLive = true;
  endFlash();
  $('#app').dataset.view = roomId ? 'chat' : 'list';
  els.empty.hidden = Boolean(roomId);
  els.room.hidden = !roomId;
  els.jump.hidden = true;
  if (!roomId) return;
  renderHeader();
  els.input.value = drafts.get(roomId) || '';
  autosize();
  updateCounter();
  renderMessages({ stick: true });
  focusComposerSoon();
}

function focusComposerSoon() {
  // On phones the keyboard would cover the history; let people tap the box themselves.
  if (!window.matchMedia('(min-width: 721px)').matches) return;
  // Not if the focus moved elsewhere before the frame came (a slow frame in a tab behind).
  const was = document.activeElement;
  requestAnimationFrame(() => {
    const now = document.activeElement;
    if (now === was || now === document.body || !now) els.input.focus();
  });
}

function renderHeader() {
  const room = state.rooms.get(state.openRoomId);
  if (!room) return;
  if (els.roomAvatar.dataset.for !== room.id + room.name) {
    replace(els.roomAvatar, roomAvatar(room, 'md'));
    els.roomAvatar.dataset.for = room.id + room.name;
  }
  setText(els.title, room.name);
  const vis = room.visibility === 'private' ? 'Private' : 'Public';
  setText(els.meta, `${vis} room · ${plural(room.member_count ?? 1, 'member', 'members')}`);
  els.input.placeholder = `Message ${room.name}`;
}

// ---- the message list -------------------------------------------------------------------

function entries(tl) {
  const out = [];
  const me = state.me?.id;
  let prev = null;
  let prevDay = null;
  const push = (m, pending) => {
    const d = dayKey(m.created_at);
    if (d !== prevDay) {
      out.push({ key: `d:${d}`, kind: 'day', label: dayLabel(m.created_at) });
      prevDay = d;
      prev = null;
    }
    if (!pending && tl.unreadFrom && m.seq === tl.unreadFrom && m.author?.id !== me) {
      out.push({ key: 'new', kind: 'new' });
      prev = null;
    }
    const authorId = pending ? me : m.author?.id ?? null;
    const cont =
      prev &&
      prev.authorId === authorId &&
      Date.parse(m.created_at) - Date.parse(prev.created_at) < GROUP_GAP_MS;
    const own = pending || (authorId && authorId === me);
    const key = own && m.client_id ? `c:${m.client_id}` : `m:${m.id}`;
    out.push({ key, kind: 'msg', m, pending, own, cont: Boolean(cont) });
    prev = { authorId, created_at: m.created_at };
  };
  for (const m of confirmed(tl)) push(m, null);
  for (const p of tl.pending.values()) push(p, p);
  // "Seen by N" under my latest message.
  const latest = lastOwnMessage(tl.roomId);
  const users = latest && seenBy(tl.roomId, latest.id);
  if (users?.length) {
    const at = out.findIndex((e) => e.kind === 'msg' && !e.pending && e.m.id === latest.id);
    if (at >= 0) out.splice(at + 1, 0, { key: 'seen', kind: 'seen', ...seenText(users) });
  }
  return out;
}

function signature(e) {
  if (e.kind === 'seen') return `seen:${e.text}:${e.names}`;
  if (e.kind !== 'msg') return `${e.kind}:${e.label || ''}`;
  const p = e.pending;
  const m = e.m;
  return [
    e.own ? 1 : 0,
    e.cont ? 1 : 0,
    p ? p.status : 'sent',
    p?.error || '',
    p ? '' : state.savedIds.has(m.id) ? 's' : '',
    m.author ? displayName(m.author) : '',
    m.body,
    m.edited_at || '',
    m.deleted ? 'd' : '',
    (m.reactions || []).map((r) => `${r.emoji}${r.count}${r.me ? '*' : ''}`).join(','),
    m.reply_to ? `${m.reply_to.id}${m.reply_to.deleted ? 'd' : ''}` : '',
    m.mentions?.length ? membersVersion() : '',
    !p && editingId(m.room_id) === m.id ? 'e' : '',
    !p && canDelete(m) ? 'x' : '',
    !p && isCollapsed(m) ? 'b' : '',
  ].join('|');
}

function renderMessages({ stick = false } = {}) {
  const roomId = state.openRoomId;
  if (!roomId || roomId !== renderedRoom) return;
  const tl = timeline(roomId);
  // At the bottom of a window far back (or of one just paged to the newest), the reader
  // stays where they are: only the newest messages pull the view down.
  const wasAtBottom = stick || (renderedLive && !tl.hasNewer && nearBottom());
  const anchor = wasAtBottom ? null : firstVisible();
  const anchorKey = anchor?.dataset.key;
  const anchorTop = anchor ? anchor.getBoundingClientRect().top : 0;
  const hadNodes = nodes.size > 0;

  const list = entries(tl);
  const seen = new Set();
  let newFromOthers = false;
  list.forEach((e, i) => {
    seen.add(e.key);
    const sig = signature(e);
    let entry = nodes.get(e.key);
    if (!entry || entry.sig !== sig) {
      const li = build(e);
      if (entry) entry.li.replaceWith(li);
      else if (hadNodes && e.kind === 'msg' && !e.own) newFromOthers = true;
      entry = { li, sig };
      nodes.set(e.key, entry);
    }
    if (els.list.children[i] !== entry.li) els.list.insertBefore(entry.li, els.list.children[i] || null);
  });
  for (const [key, entry] of nodes) {
    if (!seen.has(key)) {
      entry.li.remove();
      nodes.delete(key);
    }
  }
  renderTop(tl, list.length === 0);
  renderBottom(tl);
  renderedLive = !tl.hasNewer;

  if (wasAtBottom) {
    scrollToBottom(false);
  } else {
    // Keep what the reader looks at in place while older pages arrive above it (the
    // node may have been rebuilt, e.g. grouped with an older message: find it by key).
    const now = anchorKey && nodes.get(anchorKey)?.li;
    if (now) els.scroller.scrollTop += now.getBoundingClientRect().top - anchorTop;
    if (newFromOthers) els.jump.hidden = false;
  }
  setText(els.jumpText, tl.hasNewer ? 'Jump to latest' : 'New messages');
  if (tl.hasNewer) els.jump.hidden = false;
  if (stick && tl.unreadFrom) {
    const divider = nodes.get('new')?.li;
    if (divider && divider.offsetTop > els.scroller.clientHeight) divider.scrollIntoView({ block: 'start' });
  }
  if (isViewingNow()) markRead(roomId);
}

/** The first message at least partly on screen in the list. */
function firstVisible() {
  const top = els.scroller.getBoundingClientRect().top;
  for (const li of els.list.children) {
    if (li.classList.contains('msg') && li.getBoundingClientRect().bottom > top) return li;
  }
  return null;
}

function renderTop(tl, empty) {
  const room = state.rooms.get(tl.roomId);
  if (!tl.loaded) {
    replace(els.top, h('p', { class: 'history-note' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading messages…'));
  } else if (tl.loadingOlder) {
    replace(els.top, h('p', { class: 'history-note' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading older messages…'));
  } else if (tl.hasOlder) {
    replace(
      els.top,
      h('button', { class: 'btn subtle load-older', type: 'button', on: { click: () => loadOlder(tl.roomId).catch((e) => notify(e.message, 'error')) } }, 'Load older messages'),
    );
  } else {
    replace(
      els.top,
      h(
        'div',
        { class: 'history-start' },
        room ? roomAvatar(room, 'lg') : null,
        h('p', { class: 'history-start-title', text: room ? `This is the beginning of ${room.name}` : 'The beginning' }),
        h('p', { text: empty ? 'No messages yet. Say hello!' : 'Everything said here is below.' }),
      ),
    );
  }
}

/** Below the list in a window far back: newer messages, as a button or on their way. */
function renderBottom(tl) {
  els.bottom.hidden = !tl.hasNewer;
  if (!tl.hasNewer) {
    if (els.bottom.firstChild) els.bottom.replaceChildren();
    return;
  }
  const state_ = tl.loadingNewer ? 'loading' : 'more';
  if (els.bottom.dataset.state === state_ && els.bottom.firstChild) return;
  els.bottom.dataset.state = state_;
  if (tl.loadingNewer) {
    replace(els.bottom, h('p', { class: 'history-note' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading newer messages…'));
  } else {
    replace(
      els.bottom,
      h('button', { class: 'btn subtle load-newer', type: 'button', on: { click: () => loadNewer(tl.roomId).catch((e) => notify(e.message, 'error')) } }, 'Load newer messages'),
    );
  }
}

function build(e) {
  if (e.kind === 'day') {
    return h('li', { class: 'day-sep', role: 'separator', 'aria-label': e.label }, h('span', { text: e.label }));
  }
  if (e.kind === 'new') {
    return h('li', { class: 'new-sep', role: 'separator', 'aria-label': 'New messages' }, h('span', { text: 'New' }));
  }
  if (e.kind === 'seen') {
    return h('li', { class: 'seen-by', title: e.names, 'aria-label': `Seen by ${e.names}` }, icon('eye'), h('span', { text: e.text }));
  }
  const { m, pending, own, cont } = e;
  const status = pending ? pending.status : 'sent';
  const deleted = Boolean(m.deleted);
  const editing = !pending && !deleted && editingId(m.room_id) === m.id;
  const collapsed = !pending && isCollapsed(m); // from someone I block
  const cls = [
    'msg',
    own ? 'own' : 'other',
    cont && 'cont',
    status !== 'sent' && status,
    deleted && 'deleted',
    editing && 'editing',
    collapsed && 'collapsed',
    !pending && !own && mentionsMe(m) && 'mentions-me',
    !pending && pickerFor() === m.id && 'menu-open',
    !pending && flash?.id === m.id && 'flash',
  ];
  const li = h('li', {
    class: cls.filter(Boolean).join(' '),
    dataset: { key: e.key, status, seq: pending ? null : m.seq, messageId: pending ? null : m.id, clientId: m.client_id || null },
  });
  const author = pending ? state.me : m.author;
  if (!own) li.append(cont ? h('span', { class: 'avatar-spacer', 'aria-hidden': 'true' }) : avatar(author, 'sm'));

  const col = h('div', { class: 'msg-col' });
  if (!own && !cont) {
    const name = author
      ? h('button', { class: 'msg-author-name', type: 'button', title: 'View profile', text: displayName(author), on: { click: () => openProfile(author) } })
      : h('span', { class: 'msg-author-name', text: displayName(author) });
    col.append(h('div', { class: 'msg-author' }, name));
  }
  let body;
  if (deleted) {
    body = h('p', { class: 'msg-body msg-deleted' }, icon('trash'), h('span', { text: 'Message deleted' }));
  } else if (collapsed) {
    body = collapsedBody(m);
  } else if (editing) {
    body = editor(m);
  } else {
    body = h('p', { class: `msg-body${isJumboEmoji(m.body) ? ' jumbo' : ''}` });
    appendBody(body, m);
  }
  const stamp = h('span', { class: 'msg-stamp' });
  if (!pending && state.savedIds.has(m.id)) stamp.append(h('span', { class: 'msg-saved', title: 'Saved' }, icon('bookmark'), h('span', { class: 'sr-only', text: 'Saved' })));
  if (m.edited_at && !deleted) stamp.append(h('span', { class: 'msg-edited', title: `Edited ${fullTime(m.edited_at)}`, text: '(edited)' }));
  stamp.append(h('time', { dateTime: m.created_at, title: fullTime(m.created_at), text: time(m.created_at) }));
  if (own && !deleted) {
    const [ic, label] =
      status === 'pending' ? ['clock', 'Sending'] : status === 'failed' ? ['alert', 'Not sent'] : ['check', 'Sent'];
    stamp.append(h('span', { class: 'msg-state', title: label }, icon(ic), h('span', { class: 'sr-only', text: label })));
  }
  const bubble = h(
    'div',
    { class: 'msg-bubble' },
    h('span', { class: 'sr-only', text: `${own ? 'You' : displayName(author)}: ` }),
    m.reply_to && !deleted && !collapsed ? replyQuote(m.reply_to) : null,
    body,
    editing ? null : stamp,
  );
  const row = h('div', { class: 'msg-row' }, bubble);
  if (!pending && !deleted && !editing && !collapsed) {
    row.append(messageMenu(m, { reply: startReply, edit: startEdit }));
    // On touch screens a tap or a long press on the bubble shows its menu (no hover).
    touchMenu(li, bubble);
  }
  col.append(row);
  const chips = pending || collapsed ? null : reactionChips(m);
  if (chips) col.append(chips);
  if (pending && status === 'failed') {
    col.append(
      h(
        'div',
        { class: 'msg-failure', role: 'alert' },
        icon('alert'),
        h('span', { class: 'msg-failure-text', text: `Not sent: ${pending.error}` }),
        h('button', { class: 'link-btn retry-btn', type: 'button', on: { click: () => retry(pending.room_id, pending.client_id) } }, 'Retry'),
        h('button', { class: 'link-btn', type: 'button', on: { click: () => discard(pending.room_id, pending.client_id) } }, 'Discard'),
      ),
    );
  }
  li.append(col);
  return li;
}

// ---- scrolling and reading --------------------------------------------------------------

function nearBottom() {
  const s = els.scroller;
  return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
}

function scrollToBottom(smooth) {
  const s = els.scroller;
  s.scrollTo({ top: s.scrollHeight, behavior: smooth ? 'smooth' : 'auto' });
  els.jump.hidden = true;
}

/** The arrow button: down to the newest messages (loaded again when in a window). */
function onJump() {
  const roomId = state.openRoomId;
  if (!roomId) return;
  if (!timeline(roomId).hasNewer) {
    scrollToBottom(true);
    return;
  }
  endFlash();
  showLatest(roomId).catch((e) => notify(`Could not load messages: ${e.message}`, 'error'));
}

function onScroll() {
  const roomId = state.openRoomId;
  if (!roomId) return;
  const tl = timeline(roomId);
  if (els.scroller.scrollTop < NEAR_TOP_PX && tl.loaded && tl.hasOlder && !tl.loadingOlder) {
    loadOlder(roomId).catch((e) => notify(`Could not load older messages: ${e.message}`, 'error'));
  }
  const s = els.scroller;
  if (tl.hasNewer && !tl.loadingNewer && s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_TOP_PX) {
    loadNewer(roomId).catch((e) => notify(`Could not load newer messages: ${e.message}`, 'error'));
  }
  if (nearBottom() && !tl.hasNewer) {
    els.jump.hidden = true;
    if (isViewingNow()) markRead(roomId);
  }
}

/** Whether the newest messages of the open room are on screen now. */
function isViewingNow() {
  if (!state.openRoomId || document.visibilityState !== 'visible') return false;
  if ($('#app').hidden || els.room.hidden || els.room.offsetParent === null) return false;
  if (timeline(state.openRoomId).hasNewer) return false; // a window far back
  return nearBottom();
}

// ---- jumping to a message ---------------------------------------------------------------

/**
 * Opens a room at one of its messages (a search result): loads the history around it
 * when it is not held, scrolls it into view and highlights it for a moment. Resolves to
 * whether it is shown.
 */
export async function showMessage(roomId, messageId, seq) {
  if (!state.rooms.has(roomId)) {
    notify('You are not a member of that room any more', 'error');
    return false;
  }
  const jump = ++jumps;
  const target = `#/room/${roomId}`;
  if (location.hash !== target) location.hash = target;
  openRoom(roomId);
  let held;
  try {
    held = await loadAround(roomId, seq);
  } catch (e) {
    if (jump === jumps && state.openRoomId === roomId) notify(`Could not load messages: ${e.message}`, 'error');
    return false;
  }
  if (jump !== jumps || state.openRoomId !== roomId) return false; // elsewhere by now
  const li = held && timeline(roomId).bySeq.get(seq)?.id === messageId ? messageItem(messageId) : null;
  if (!li) {
    notify('That message is not there any more');
    return false;
  }
  endFlash();
  flash = { id: messageId, timer: setTimeout(endFlash, FLASH_MS) };
  li.classList.add('flash');
  li.scrollIntoView({ block: 'center' });
  els.jump.hidden = !timeline(roomId).hasNewer;
  return true;
}

function endFlash() {
  if (!flash) return;
  clearTimeout(flash.timer);
  messageItem(flash.id)?.classList.remove('flash');
  flash = null;
}

/** The drawn <li> of a confirmed message (keyed by client_id when it is my own). */
const messageItem = (messageId) => els.list.querySelector(`li.msg[data-message-id="${CSS.escape(messageId)}"]`);

// ---- composing --------------------------------------------------------------------------

function onKeyDown(e) {
  if (e.defaultPrevented || e.isComposing || e.keyCode === 229) return;
  if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
    e.preventDefault();
    els.form.requestSubmit();
  } else if (e.key === 'ArrowUp' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey && els.input.value === '') {
    // Up arrow in an empty composer edits my last message.
    const m = state.openRoomId && lastOwnMessage(state.openRoomId);
    if (m) {
      e.preventDefault();
      startEdit(m);
    }
  } else if (e.key === 'Escape' && cancelReply()) {
    e.preventDefault();
  }
}

function onSubmit(e) {
  e.preventDefault();
  const roomId = state.openRoomId;
  if (!roomId) return;
  const body = els.input.value.trim();
  if (!body) return;
  if (Array.from(body).length > MAX_BODY) {
    notify(`A message has at most ${MAX_BODY} characters`, 'error');
    return;
  }
  // A message goes below the newest ones: leave a window far back for them first.
  if (timeline(roomId).hasNewer) {
    endFlash();
    showLatest(roomId).catch((e) => notify(`Could not load messages: ${e.message}`, 'error'));
  }
  send(roomId, body, takeReply(roomId));
  composed(roomId);
  els.input.value = '';
  drafts.delete(roomId);
  autosize();
  updateCounter();
  scrollToBottom(false);
  els.input.focus();
}

function autosize() {
  const t = els.input;
  t.style.height = 'auto';
  t.style.height = `${Math.min(t.scrollHeight, 180)}px`;
}

function updateCounter() {
  const n = Array.from(els.input.value).length;
  setText(els.counter, n > MAX_BODY - 500 ? `${n} / ${MAX_BODY}` : '');
  els.counter.classList.toggle('over', n > MAX_BODY);
}
