// views/saved.js: owns the saved-messages drawer: every message I saved, newest saved
// first, with its room and author (a deleted one as "Message deleted", an edited one
// marked), a link to open the room and a button to unsave it.

import { h, replace } from '../dom.js';
import { icon } from '../icons.js';
import { state, on, notify } from '../store.js';
import { loadSaved, toggleSaved } from '../actions.js';
import { displayName, shortStamp, fullTime } from '../format.js';
import { avatar } from './avatar.js';
import { openPanel, closePanel } from './panel.js';

export function openSaved() {
  openPanel({
    key: 'saved',
    title: 'Saved messages',
    render: (body) => {
      const list = h('ul', { class: 'saved-list', id: 'saved-list', 'aria-label': 'Saved messages' });
      const paint = () => renderSaved(list);
      replace(body, h('p', { class: 'muted', text: 'Messages you bookmark stay here, from every room you are in.' }), list);
      if (state.saved) paint();
      else replace(list, h('li', { class: 'empty', text: 'Loading…' }));
      loadSaved().catch((e) => replace(list, h('li', { class: 'empty error', text: `Could not load saved messages: ${e.message}` })));
      return on('saved', paint);
    },
  });
}

function renderSaved(list) {
  const saved = state.saved || [];
  if (!saved.length) {
    replace(list, h('li', { class: 'empty' }, icon('bookmark'), h('span', { text: 'Nothing saved yet. Hover a message and press the bookmark to keep it here.' })));
    return;
  }
  replace(
    list,
    saved.map((m) => {
      const room = state.rooms.get(m.room_id);
      return h(
        'li',
        { class: 'saved-item', dataset: { messageId: m.id } },
        h(
          'div',
          { class: 'saved-head' },
          avatar(m.author, 'sm'),
          h('span', { class: 'saved-author', text: displayName(m.author) }),
          h('span', { class: 'saved-room', text: room ? `in ${room.name}` : '' }),
          h('time', { class: 'saved-time', dateTime: m.created_at, title: fullTime(m.created_at), text: shortStamp(m.created_at) }),
        ),
        m.deleted
          ? h('p', { class: 'saved-body msg-deleted' }, icon('trash'), h('span', { text: 'Message deleted' }))
          : h('p', { class: 'saved-body' }, m.body, m.edited_at ? h('span', { class: 'msg-edited', text: ' (edited)' }) : null),
        h(
          'div',
          { class: 'saved-actions' },
          room
            ? h('button', { class: 'link-btn', type: 'button', on: { click: () => { closePanel({ restoreFocus: false }); location.hash = `#/room/${m.room_id}`; } } }, 'Open room')
            : null,
          h('button', { class: 'link-btn', type: 'button', 'aria-label': 'Remove from saved messages', on: { click: () => unsave(m) } }, 'Remove'),
        ),
      );
    }),
  );
}

async function unsave(m) {
  try {
    await toggleSaved(m);
  } catch (e) {
    notify(`Could not remove it: ${e.message}`, 'error');
  }
}
