// views/friends.js: owns the friends panel: add a friend by nickname, the list (name,
// nickname, status message), and removing a friend. Follows `friend` events live.

import { h, replace, busy } from '../dom.js';
import { icon } from '../icons.js';
import { state, on, notify } from '../store.js';
import { loadFriends, addFriend, removeFriend } from '../actions.js';
import { displayName } from '../format.js';
import { avatar } from './avatar.js';
import { openPanel } from './panel.js';
import { confirmAction } from './notices.js';

export function openFriends() {
  openPanel({
    key: 'friends',
    title: 'Friends',
    render: (body) => {
      const list = h('ul', { class: 'people', id: 'friend-list', 'aria-label': 'Friends' });
      const input = h('input', { id: 'friend-username', name: 'username', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', required: true });
      const error = h('p', { class: 'form-error', role: 'alert' });
      const form = h(
        'form',
        { class: 'inline-form', novalidate: true },
        h('label', { for: 'friend-username', text: 'Add a friend by nickname' }),
        h('div', { class: 'inline-row' }, input, h('button', { class: 'btn primary', type: 'submit' }, icon('userPlus'), 'Add')),
        error,
      );
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        error.textContent = '';
        const name = input.value.trim();
        if (!name) {
          error.textContent = 'Enter a nickname';
          input.focus();
          return;
        }
        if (name.toLowerCase() === state.me?.username.toLowerCase()) {
          error.textContent = 'That is you!';
          return;
        }
        try {
          await busy(form, () => addFriend(name));
          input.value = '';
          notify(`${name} is now your friend`, 'success');
        } catch (err) {
          error.textContent = err.code === 'not_found' && err.message !== 'This server does not support that yet' ? `No one is called “${name}”` : err.message;
        }
        input.focus();
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
        avatar(u, 'md'),
        h(
          'div',
          { class: 'person-text' },
          h('span', { class: 'person-name', text: displayName(u) }),
          h('span', { class: 'person-sub', text: u.status_message ? `@${u.username} · ${u.status_message}` : `@${u.username}` }),
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
