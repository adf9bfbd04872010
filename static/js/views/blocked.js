// views/blocked.js: owns collapsed messages from people I block: in the conversation such
// a message reads "Message from a blocked user — show", and "show" reveals that one
// message (until the page is reloaded); the room list's preview says the same.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { emit } from '../store.js';
import { fromBlocked } from '../safety.js';

export const BLOCKED_TEXT = 'Message from a blocked user';

const revealed = new Set(); // message ids shown anyway

/** Whether the message is shown collapsed now. */
export const isCollapsed = (m) => Boolean(m && !m.deleted && !revealed.has(m.id) && fromBlocked(m));

/** The body of a collapsed message, with its "show" button. */
export function collapsedBody(m) {
  const show = h(
    'button',
    {
      class: 'link-btn show-blocked',
      type: 'button',
      'aria-label': 'Show the message from a blocked user',
      on: {
        click: () => {
          revealed.add(m.id);
          emit('timeline', m.room_id);
        },
      },
    },
    'show',
  );
  return h('p', { class: 'msg-body msg-blocked' }, icon('ban'), h('span', { text: `${BLOCKED_TEXT} — ` }), show);
}
