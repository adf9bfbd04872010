// views/sidebar.js: owns the left column: brand and connection indicator, the "New room"
// and "Discover" buttons, the message search box (views/search.js: its results take the
// room list's place while a query is active), the room list (name, last message, time, unread badge, a
// mention badge "@" / "@2", a muted icon and no unread badge for a muted room; for a
// room of two, the other member's presence dot; "… is typing…" in place of the preview;
// kept in place and reordered by activity as events arrive), the invitations banner, and
// the account bar with the invitations, saved messages, friends and settings buttons.

import { $, h, setText, replace } from '../dom.js';
import { icon } from '../icons.js';
import { state, on, sortedRooms, totalUnread } from '../store.js';
import { displayName, preview, shortStamp, fullTime } from '../format.js';
import { avatar, roomAvatar } from './avatar.js';
import { connectionIndicator } from './connection.js';
import { openSaved } from './saved.js';
import { openFriends } from './friends.js';
import { openSettings } from './settings.js';
import { openDiscover } from './discover.js';
import { openNewRoom } from './new-room.js';
import { roomPeer } from '../presence.js';
import { typingIn } from '../typing.js';
import { presenceDot } from './presence-dot.js';
import { typingText } from './typing-line.js';
import { invitationsButton, invitationsBanner } from './invitations.js';
import { isCollapsed, BLOCKED_TEXT } from './blocked.js';
import { applyRoute } from '../router.js';
import { mountSearch } from './search.js';

const items = new Map(); // room id -> <li>
let list;
let empty;
let meBox;

export function mountSidebar() {
  const root = $('#sidebar');
  list = h('ul', { class: 'room-list', id: 'room-list', 'aria-label': 'Your rooms' });
  empty = h(
    'div',
    { class: 'room-list-empty', hidden: true },
    h('p', { class: 'empty-title', text: 'No rooms yet' }),
    h('p', { text: 'Create a room for your people, or discover public rooms to join.' }),
  );
  meBox = h('div', { class: 'me-info' });
  const nav = h('nav', { class: 'room-nav', 'aria-label': 'Rooms' }, invitationsBanner(), list, empty);
  const search = mountSearch(nav);

  replace(
    root,
    h(
      'header',
      { class: 'sidebar-head' },
      h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), h('span', { class: 'brand-name', text: 'Parley' })),
      connectionIndicator(),
    ),
    h(
      'div',
      { class: 'sidebar-actions' },
      h('button', { class: 'btn primary', type: 'button', id: 'new-room-btn', on: { click: openNewRoom } }, icon('plus'), 'New room'),
      h('button', { class: 'btn', type: 'button', id: 'discover-btn', on: { click: openDiscover } }, icon('compass'), 'Discover'),
    ),
    search.box,
    nav,
    search.results,
    h(
      'footer',
      { class: 'me-bar' },
      meBox,
      h('div', { class: 'me-actions' },
        invitationsButton(),
        h('button', { class: 'icon-btn', type: 'button', id: 'saved-btn', 'aria-label': 'Saved messages', title: 'Saved messages', on: { click: openSaved } }, icon('bookmark')),
        h('button', { class: 'icon-btn', type: 'button', id: 'friends-btn', 'aria-label': 'Friends', title: 'Friends', on: { click: openFriends } }, icon('users')),
        h('button', { class: 'icon-btn', type: 'button', id: 'settings-btn', 'aria-label': 'Profile and settings', title: 'Profile and settings', on: { click: openSettings } }, icon('sliders')),
      ),
    ),
  );

  on('rooms', renderRooms);
  on('open', renderRooms);
  on('typing', (roomId) => state.rooms.has(roomId) && renderRooms());
  on('me', renderMe);
  renderRooms();
  renderMe();
}

function renderMe() {
  const me = state.me;
  if (!me) {
    meBox.replaceChildren();
    return;
  }
  replace(
    meBox,
    avatar(me, 'md'),
    h(
      'div',
      { class: 'me-text' },
      h('span', { class: 'me-name', text: displayName(me) }),
      h('span', { class: 'me-status', text: me.status_message || `@${me.username}` }),
    ),
  );
}

function renderRooms() {
  const rooms = sortedRooms();
  const keep = new Set(rooms.map((r) => r.id));
  for (const [id, li] of items) {
    if (!keep.has(id)) {
      li.remove();
      items.delete(id);
    }
  }
  const focused = list.contains(document.activeElement) ? document.activeElement : null;
  rooms.forEach((room, i) => {
    let li = items.get(room.id);
    if (!li) {
      li = createItem(room);
      items.set(room.id, li);
    }
    updateItem(li, room);
    if (list.children[i] !== li) list.insertBefore(li, list.children[i] || null);
  });
  // Moving a room in the list takes keyboard focus from it: give it back.
  if (focused && document.activeElement !== focused && list.contains(focused)) focused.focus({ preventScroll: true });
  empty.hidden = rooms.length > 0;
  const unread = totalUnread();
  document.title = unread ? `(${unread}) Parley` : 'Parley';
}

/** Opens a room through the address bar; when it already names the room (a reload while
 * the room list was still loading), there is no `hashchange`, so route it directly. */
function goTo(roomId) {
  const target = `#/room/${roomId}`;
  if (location.hash === target) applyRoute();
  else location.hash = target;
}

function createItem(room) {
  const button = h('button', {
    class: 'room-item',
    type: 'button',
    on: { click: () => goTo(room.id) },
  });
  const li = h('li', { class: 'room', dataset: { roomId: room.id } }, button);
  li.parts = {
    button,
    avatar: h('span', { class: 'room-avatar-slot' }),
    name: h('span', { class: 'room-name' }),
    lock: icon('lock', 'room-lock'),
    muted: h('span', { class: 'room-muted', title: 'Muted' }, icon('bellOff'), h('span', { class: 'sr-only', text: 'muted' })),
    time: h('time', { class: 'room-time' }),
    preview: h('span', { class: 'room-preview' }),
    mention: h('span', { class: 'mention-badge', hidden: true }),
    badge: h('span', { class: 'badge', hidden: true }),
  };
  const p = li.parts;
  button.append(
    p.avatar,
    h(
      'span',
      { class: 'room-main' },
      h('span', { class: 'room-row' }, h('span', { class: 'room-title' }, p.lock, p.name, p.muted), p.time),
      h('span', { class: 'room-row' }, p.preview, h('span', { class: 'room-badges' }, p.mention, p.badge)),
    ),
  );
  return li;
}

function updateItem(li, room) {
  const p = li.parts;
  const current = state.openRoomId === room.id;
  const peer = roomPeer(room); // a room of two: the other member's dot
  const avatarKey = `${room.id} ${room.name} ${peer?.id || ''}`;
  if (p.avatarKey !== avatarKey) {
    replace(p.avatar, roomAvatar(room), peer ? presenceDot(peer.id) : null);
    p.avatarKey = avatarKey;
  }
  setText(p.name, room.name);
  p.lock.classList.toggle('is-hidden', room.visibility !== 'private');
  const m = room.last_message;
  if (m) {
    setText(p.time, shortStamp(m.created_at));
    p.time.dateTime = m.created_at;
    p.time.title = fullTime(m.created_at);
    const who = m.author?.id === state.me?.id ? 'You' : displayName(m.author);
    if (m.deleted) setText(p.preview, `${who}: message deleted`);
    else setText(p.preview, isCollapsed(m) ? BLOCKED_TEXT : `${who}: ${preview(m.body, 60)}`);
  } else {
    setText(p.time, '');
    setText(p.preview, room.visibility === 'private' ? 'Private room · no messages yet' : 'No messages yet');
  }
  const typing = typingText(typingIn(room.id));
  p.preview.classList.toggle('typing', Boolean(typing));
  if (typing) setText(p.preview, typing);
  const muted = Boolean(room.muted);
  const unread = current || muted ? 0 : room.unread_count || 0;
  const mentions = current ? 0 : room.mention_count || 0;
  p.badge.hidden = unread === 0;
  setText(p.badge, unread > 99 ? '99+' : String(unread));
  p.mention.hidden = mentions === 0;
  setText(p.mention, mentions > 1 ? `@${mentions > 99 ? '99+' : mentions}` : '@');
  p.mention.title = mentions === 1 ? 'You were mentioned' : `You were mentioned ${mentions} times`;
  p.muted.classList.toggle('is-hidden', !muted);
  li.classList.toggle('unread', unread > 0 || mentions > 0);
  li.classList.toggle('muted', muted);
  li.classList.toggle('active', current);
  if (current) p.button.setAttribute('aria-current', 'page');
  else p.button.removeAttribute('aria-current');
  const label = [
    room.name,
    room.visibility === 'private' ? 'private' : 'public',
    muted ? 'muted' : null,
    unread ? `${unread} unread` : null,
    mentions ? `${mentions} ${mentions === 1 ? 'mention' : 'mentions'} of you` : null,
    m ? `last message ${p.preview.textContent}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  p.button.setAttribute('aria-label', label);
}

/** Alt+ArrowUp / Alt+ArrowDown: the previous or next room. */
export function stepRoom(delta) {
  const rooms = sortedRooms();
  if (!rooms.length) return;
  const i = rooms.findIndex((r) => r.id === state.openRoomId);
  const next = rooms[(i + delta + rooms.length) % rooms.length];
  location.hash = `#/room/${next.id}`;
}
