// views/friends.js: owns the friends panel: add a friend by nickname, the list (name,
// nickname, status message, presence dot; a friend opens their profile), and removing a
// friend. Follows `friend` and `presence` events live.

import { h, replace } from '../dom.js';
import { icon } from '../icons.js';
import { state, on, notify } from '../store.js';
import { loadFriends, addFriend, removeFriend } from '../actions.js';
import { displayName } from '../format.js';
import { avatar } from './avatar.js';
import { openPanel } from './panel.js';
import { nicknameForm } from './nickname-form.js';
import { confirmAction } from './notices.js';
import { withPresence } from './presence-dot.js';
import { openProfile } from './profile.js';

export function openFriends() {
  openPanel({
    key: 'friends',
    title: 'Friends',
    render: (body) => {
      const list = h('ul', { class: 'people', id: 'friend-list', 'aria-label': 'Friends' });
      const form = nicknameForm({
        id: 'friend-username',
        label: 'Add a friend by nickname',
        button: 'Add',
        check: (name) => (name.toLowerCase() === state.me?.username.toLowerCase() ? 'That is you!' : null),
        act: addFriend,
        done: (name) => notify(`${name} is now your friend`, 'success'),
      });
      const paint = () => renderFriends(list);
      replace(body, form, h('h3', { class: 'section-title', text: 'Your friends' }), list);
      if (state.friends) paint();
      else replace(list, h('li', { class: 'empty', text: 'Loading…' }));
      loadFriends().catch((e) => replace(list, h('li', { class: 'empty error', text: `Could not load friends: ${e.message}` })));
      return on('friends', paint);
    },
  });
}

function renderFriends(list) {
  const friends = state.friends || [];
  if (!friends.length) {
    replace(list, h('li', { class: 'empty' }, icon('users'), h('span', { text: 'No friends yet. Add someone by their nickname.' })));
    return;
  }
  replace(
    list,
    friends.map((u) =>
      h(
        'li',
        { class: 'person', dataset: { username: u.username } },
        h(
          'button',
          { class: 'person-open', type: 'button', title: 'View profile', on: { click: () => openProfile(u) } },
          withPresence(avatar(u, 'md'), u),
          h(
            'span',
            { class: 'person-text' },
            h('span', { class: 'person-name', text: displayName(u) }),
            h('span', { class: 'person-sub', text: u.status_message ? `@${u.username} · ${u.status_message}` : `@${u.username}` }),
          ),
        ),
        h('button', { class: 'icon-btn', type: 'button', 'aria-label': `Remove ${displayName(u)} from friends`, title: 'Remove friend', on: { click: () => onRemove(u) } }, icon('userMinus')),
      ),
    ),
  );
}

async function onRemove(user) {
  const ok = await confirmAction({
    title: `Remove ${displayName(user)}?`,
    text: `${displayName(user)} will be removed from your friends. You can add them again later.`,
    confirm: 'Remove friend',
    danger: true,
  });
  if (!ok) return;
  try {
    await removeFriend(user);
  } catch (e) {
    notify(`Could not remove ${displayName(user)}: ${e.message}`, 'error');
  }
}
