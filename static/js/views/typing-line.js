// views/typing-line.js: owns the typing line under the open conversation ("지우 is
// typing…", "지우 and Alice are typing…", "3 people are typing…"), and the same words
// for the room list's preview. Follows 'typing' and 'open'.

import { h, setText } from '../dom.js';
import { state, on } from '../store.js';
import { typingIn } from '../typing.js';
import { displayName } from '../format.js';

/** The words for the people typing, or '' when nobody is. */
export function typingText(users) {
  const names = users.map((u) => displayName(u));
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

/** The line itself (placed by the chat view at the bottom of the conversation). */
export function typingLine() {
  const text = h('span', { class: 'typing-text' });
  const el = h(
    'div',
    { class: 'typing-line', id: 'typing-line', role: 'status', 'aria-live': 'polite', hidden: true },
    h('span', { class: 'typing-dots', 'aria-hidden': 'true' }, h('span'), h('span'), h('span')),
    text,
  );
  const paint = () => {
    const words = state.openRoomId ? typingText(typingIn(state.openRoomId)) : '';
    setText(text, words);
    el.hidden = !words;
  };
  on('typing', (roomId) => roomId === state.openRoomId && paint());
  on('open', paint);
  return el;
}
