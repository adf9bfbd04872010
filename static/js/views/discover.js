// views/discover.js: owns public room discovery: the public rooms I am not in, a filter
// box, and joining one (which then opens it).

import { h, replace } from '../dom.js';
import { icon } from '../icons.js';
import { notify } from '../store.js';
import { publicRooms, joinRoom } from '../actions.js';
import { plural } from '../format.js';
import { roomAvatar } from './avatar.js';
import { openPanel, closePanel } from './panel.js';

export function openDiscover() {
  openPanel({
    key: 'discover',
    title: 'Discover public rooms',
    render: (body) => {
      let rooms = null;
      const list = h('ul', { class: 'discover-list', id: 'discover-list', 'aria-label': 'Public rooms' });
      const filter = h('input', { id: 'discover-filter', type: 'search', autocomplete: 'off', placeholder: 'Filter by name' });
      const paint = () => {
        if (!rooms) return;
        const q = filter.value.trim().toLocaleLowerCase();
        const shown = rooms.filter((r) => !q || r.name.toLocaleLowerCase().includes(q));
        if (!shown.length) {
          replace(list, h('li', { class: 'empty' }, icon('compass'), h('span', { text: rooms.length ? 'No public room matches.' : 'No public rooms to join right now. Create one!' })));
          return;
        }
        replace(
          list,
          shown.map((r) => {
            const join = h('button', { class: 'btn primary small', type: 'button', 'aria-label': `Join ${r.name}` }, 'Join');
            join.addEventListener('click', async () => {
              join.disabled = true;
              try {
                await joinRoom(r);
                closePanel({ restoreFocus: false });
                location.hash = `#/room/${r.id}`;
                notify(`You joined “${r.name}”`, 'success');
              } catch (e) {
                join.disabled = false;
                notify(`Could not join: ${e.message}`, 'error');
              }
            });
            return h(
              'li',
              { class: 'discover-item', dataset: { roomId: r.id } },
              roomAvatar(r, 'md'),
              h('div', { class: 'person-text' }, h('span', { class: 'person-name', text: r.name }), h('span', { class: 'person-sub', text: plural(r.member_count ?? 0, 'member', 'members') })),
              join,
            );
          }),
        );
      };
      filter.addEventListener('input', paint);
      replace(
        body,
        h('div', { class: 'field' }, h('label', { for: 'discover-filter', text: 'Search public rooms' }), filter),
        list,
      );
      replace(list, h('li', { class: 'empty', text: 'Loading…' }));
      publicRooms()
        .then((r) => {
          rooms = r;
          paint();
        })
        .catch((e) => replace(list, h('li', { class: 'empty error', text: `Could not load public rooms: ${e.message}` })));
      return null;
    },
  });
}
