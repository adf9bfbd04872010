// views/reply.js: owns replies in the chat: which message the composer answers (per room,
// shown in a quote bar above the message box with an × to cancel), the quote on a sent
// reply (author and excerpt, or "deleted"), and jumping to the original from a quote
// (scrolled into view and briefly highlighted when it is loaded).

import { h, replace } from '../dom.js';
import { icon } from '../icons.js';
import { state, on, notify } from '../store.js';
import { displayName, preview } from '../format.js';

const replying = new Map(); // room id -> the message answered
let bar = null;
let input = null;

/** The quote bar, to place in the composer above the message box. */
export function mountReplyBar(composerInput) {
  input = composerInput;
  bar = h('div', { class: 'reply-bar', id: 'reply-bar', hidden: true, role: 'status' });
  on('open', paint);
  on('timeline', (roomId) => {
    // The message answered was deleted meanwhile: the bar says so.
    if (roomId === state.openRoomId && replying.has(roomId)) paint();
  });
  return bar;
}

export const replyingTo = (roomId) => replying.get(roomId) || null;

export function startReply(m) {
  replying.set(m.room_id, m);
  paint();
  input?.focus();
}

/** Cancels the open room's reply; true if there was one. */
export function cancelReply() {
  const roomId = state.openRoomId;
  if (!roomId || !replying.delete(roomId)) return false;
  paint();
  return true;
}

/** The open room's reply target, cleared (the message is being sent). */
export function takeReply(roomId) {
  const m = replying.get(roomId) || null;
  replying.delete(roomId);
  paint();
  return m;
}

function paint() {
  if (!bar) return;
  const held = replying.get(state.openRoomId);
  if (!held) {
    bar.hidden = true;
    bar.replaceChildren();
    return;
  }
  const tl = state.timelines.get(held.room_id);
  const m = (tl && tl.bySeq.get(held.seq)) || held;
  replace(
    bar,
    icon('reply', 'reply-bar-icon'),
    h(
      'div',
      { class: 'reply-bar-text' },
      h('span', { class: 'reply-bar-title' }, 'Replying to ', h('strong', { text: displayName(m.author) })),
      h('span', { class: 'reply-bar-excerpt', text: m.deleted ? 'Message deleted' : preview(m.body, 140) }),
    ),
    h('button', { class: 'icon-btn small', type: 'button', id: 'cancel-reply', 'aria-label': 'Cancel reply', title: 'Cancel reply (Esc)', on: { click: () => { cancelReply(); input?.focus(); } } }, icon('x')),
  );
  bar.hidden = false;
}

/** The quote on a reply: a button that jumps to the original. */
export function replyQuote(preview_) {
  const gone = preview_.deleted;
  return h(
    'button',
    {
      class: `msg-quote${gone ? ' gone' : ''}`,
      type: 'button',
      'aria-label': `Reply to ${displayName(preview_.author)}: ${gone ? 'message deleted' : preview_.excerpt}. Show the original`,
      title: 'Show the original message',
      dataset: { replyTo: preview_.id },
      on: { click: () => jumpTo(preview_.id) },
    },
    h('span', { class: 'msg-quote-author', text: displayName(preview_.author) }),
    h('span', { class: 'msg-quote-text', text: gone ? 'Message deleted' : preview(preview_.excerpt, 140) }),
  );
}

/** Scrolls to a loaded message and highlights it for a moment. */
export function jumpTo(messageId) {
  const li = document.querySelector(`#message-list li.msg[data-message-id="${CSS.escape(messageId)}"]`);
  if (!li) {
    notify('The original message is further up: load older messages to see it');
    return;
  }
  li.scrollIntoView({ block: 'center', behavior: 'smooth' });
  li.classList.remove('flash');
  void li.offsetWidth; // restart the animation
  li.classList.add('flash');
  setTimeout(() => li.classList.remove('flash'), 1800);
}
