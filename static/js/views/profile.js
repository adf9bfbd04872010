// views/profile.js: owns a person's profile card in the side panel, opened from a message
// author's name and from the member and friend lists: avatar with a presence dot, name,
// nickname, status message and whether they are online; adding or removing them as a
// friend, and blocking (after a confirmation) or unblocking them.

import { h, replace } from '../dom.js';
import { icon } from '../icons.js';
import { state, on, notify } from '../store.js';
import { userProfile, addFriend, removeFriend, loadFriends, blockUser, unblockUser } from '../actions.js';
import { presenceOf } from '../presence.js';
import { isBlocked } from '../safety.js';
import { displayName } from '../format.js';
import { avatar } from './avatar.js';
import { withPresence, PRESENCE_LABELS } from './presence-dot.js';
import { openPanel } from './panel.js';
import { confirmAction } from './notices.js';

/** Opens the card of `user` ({id, username, display_name, ...}); nothing for a deleted one. */
export function openProfile(user) {
  if (!user?.username) return;
  openPanel({
    key: `profile:${user.id}`,
    title: 'Profile',
    render: (body) => {
      let person = user;
      const card = h('div', { class: 'profile-card person-card' });
      const about = h('div', { class: 'person-about' });
      const actions = h('div', { class: 'panel-actions', id: 'profile-actions' });
      const paint = () => paintProfile(person, card, about, actions);
      replace(body, card, about, actions);
      paint();
      userProfile(user.username)
        .then((fresh) => {
          person = { ...person, ...fresh };
          paint();
        })
        .catch((e) => e.code !== 'not_found' && notify(`Could not load the profile: ${e.message}`, 'error'));
      if (!state.friends) loadFriends().catch(() => {});
      const offs = [on('presence', (ids) => ids?.has(user.id) && paint()), on('friends', paint), on('blocks', paint)];
      return () => offs.forEach((off) => off());
    },
  });
}

function paintProfile(u, card, about, actions) {
  const me = u.id === state.me?.id;
  const presence = me ? null : presenceOf(u.id);
  replace(
    card,
    me ? avatar(u, 'lg') : withPresence(avatar(u, 'lg'), u),
    h(
      'div',
      { class: 'person-text' },
      h('p', { class: 'profile-name', text: displayName(u) }),
      h('p', { class: 'muted', text: `@${u.username}` }),
      presence ? h('p', { class: `presence-text ${presence}`, id: 'profile-presence', text: PRESENCE_LABELS[presence] }) : null,
    ),
  );
  const blocked = isBlocked(u.id);
  replace(
    about,
    u.status_message ? h('p', { class: 'person-status', text: u.status_message }) : null,
    blocked
      ? h('p', { class: 'blocked-note', role: 'note' }, icon('ban'), h('span', { text: `You block ${displayName(u)}. Their messages are collapsed, and they cannot add you to rooms, invite you or add you as a friend.` }))
      : null,
  );
  if (me) {
    replace(actions, h('p', { class: 'muted', text: 'This is you.' }));
    return;
  }
  const friend = (state.friends || []).some((f) => f.id === u.id);
  replace(
    actions,
    blocked || !state.friends
      ? null
      : friend
        ? h('button', { class: 'btn', type: 'button', id: 'profile-unfriend', on: { click: (e) => act(e, () => removeFriend(u), `${displayName(u)} is no longer your friend`) } }, icon('userMinus'), 'Remove friend')
        : h('button', { class: 'btn', type: 'button', id: 'profile-friend', on: { click: (e) => act(e, () => addFriend(u.username), `${displayName(u)} is now your friend`) } }, icon('userPlus'), 'Add friend'),
    blocked
      ? h('button', { class: 'btn', type: 'button', id: 'profile-unblock', on: { click: (e) => act(e, () => unblockUser(u), `You unblocked ${displayName(u)}`) } }, icon('ban'), 'Unblock')
      : h('button', { class: 'btn danger', type: 'button', id: 'profile-block', on: { click: (e) => onBlock(e, u) } }, icon('ban'), 'Block'),
  );
}

async function onBlock(e, user) {
  const button = e.currentTarget;
  const ok = await confirmAction({
    title: `Block ${displayName(user)}?`,
    text: `Their messages will be collapsed for you, and they will not be able to add you to rooms, invite you, add you as a friend or see when you are online or typing. You can unblock them here.`,
    confirm: 'Block',
    danger: true,
  });
  if (ok) await act({ currentTarget: button }, () => blockUser(user), `You blocked ${displayName(user)}`);
}

async function act(e, work, done) {
  const button = e.currentTarget;
  button.disabled = true;
  try {
    await work();
    notify(done, 'success');
  } catch (err) {
    notify(err.message, 'error');
  } finally {
    button.disabled = false;
  }
}
