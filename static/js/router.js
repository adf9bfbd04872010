// router.js: owns the address bar: `#/room/<id>` opens a room, anything else shows the
// room list (on phones) or the empty chat pane. The browser's back button works.

import { state, on } from './store.js';
import { openRoom, closeRoom } from './views/chat.js';

const ROOM = /^#\/room\/([0-9a-fA-F-]{36})$/;

export function applyRoute() {
  if (!state.me) return;
  if (location.hash && !location.hash.startsWith('#/')) return; // an in-page link (skip link)
  const m = ROOM.exec(location.hash);
  if (m && state.rooms.has(m[1])) openRoom(m[1]);
  else if (m) {
    // Not known yet (the room list, or this room, is still on its way; a live event may
    // have brought other rooms first): open it when it arrives, while the address still
    // names it.
    closeRoom();
    const off = on('rooms', () => {
      if (ROOM.exec(location.hash)?.[1] !== m[1]) return off();
      if (state.rooms.has(m[1])) {
        off();
        openRoom(m[1]);
      }
    });
  } else closeRoom();
}

export function mountRouter() {
  window.addEventListener('hashchange', applyRoute);
  // A room that disappears (left, removed, deleted) takes the route with it.
  on('open', (id) => {
    if (!id && ROOM.test(location.hash)) history.replaceState(null, '', '#/');
  });
}
