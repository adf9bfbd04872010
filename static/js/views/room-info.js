// views/room-info.js: owns the room details panel: muting the room (for me), members
// (with the owner marked and their presence dots; a member opens their profile), inviting
// by nickname (added, or invited when they do not have me as a friend), removing members
// (owner only), leaving, and deleting the room (owner only, after a confirmation).

import { h, replace } from '../dom.js';
import { icon } from '../icons.js';
import { state, on, notify } from '../store.js';
import { roomDetail, invite, removeMember, leaveRoom, deleteRoom, setMuted } from '../actions.js';
import { displayName, plural } from '../format.js';
import { avatar, roomAvatar } from './avatar.js';
import { openPanel, closePanel } from './panel.js';
import { nicknameForm } from './nickname-form.js';
import { confirmAction } from './notices.js';
import { withPresence } from './presence-dot.js';
import { openProfile } from './profile.js';

export function openRoomInfo(roomId) {
  const room = state.rooms.get(roomId);
  if (!room) return;
  openPanel({
    key: `room:${roomId}`,
    title: 'Room details',
    render: (body) => {
      const members = h('ul', { class: 'people', 'aria-label': 'Members' });
      const count = h('h3', { class: 'section-title' });
      const status = h('p', { class: 'form-error', role: 'alert' });
      const load = async () => {
        try {
          const detail = await roomDetail(roomId);
          renderMembers(members, count, detail);
        } catch (e) {
          replace(members, h('li', { class: 'empty', text: `Could not load members: ${e.message}` }));
        }
      };
      const isOwner = room.owner_id === state.me?.id;
      const inviteForm = room.visibility === 'private' ? buildInvite(roomId, load) : null;
      replace(
        body,
        h(
          'div',
          { class: 'room-card' },
          roomAvatar(room, 'lg'),
          h('div', {},
            h('p', { class: 'room-card-name', text: room.name }),
            h('p', { class: 'muted' }, room.visibility === 'private' ? icon('lock') : icon('globe'), room.visibility === 'private' ? ' Private: members invite people' : ' Public: anyone can find and join it'),
          ),
        ),
        muteToggle(roomId),
        inviteForm,
        count,
        members,
        status,
        h(
          'div',
          { class: 'panel-actions' },
          h('button', { class: 'btn', type: 'button', id: 'leave-room-btn', on: { click: () => onLeave(room) } }, icon('door'), 'Leave room'),
          isOwner
            ? h('button', { class: 'btn danger', type: 'button', id: 'delete-room-btn', on: { click: () => onDelete(room) } }, icon('trash'), 'Delete room')
            : null,
        ),
      );
      load();
      const off = on('members', (id) => id === roomId && load());
      const offRooms = on('rooms', () => {
        if (!state.rooms.has(roomId)) closePanel();
        const box = body.querySelector('#mute-room');
        if (box && !box.disabled) box.checked = Boolean(state.rooms.get(roomId)?.muted);
      });
      return () => {
        off();
        offRooms();
      };
    },
  });
}

/** A switch: a muted room shows no unread badge (mentions of me still show). */
function muteToggle(roomId) {
  const box = h('input', { type: 'checkbox', id: 'mute-room', role: 'switch', checked: Boolean(state.rooms.get(roomId)?.muted) });
  box.addEventListener('change', async () => {
    const muted = box.checked;
    box.disabled = true;
    try {
      await setMuted(roomId, muted);
      notify(muted ? 'Room muted: only mentions of you show' : 'Room unmuted', 'success');
    } catch (e) {
      box.checked = !muted;
      notify(`Could not change the setting: ${e.message}`, 'error');
    } finally {
      box.disabled = false;
    }
  });
  return h(
    'label',
    { class: 'switch-row', for: 'mute-room' },
    h('span', { class: 'choice-text' }, h('span', { class: 'choice-label' }, icon('bellOff'), 'Mute this room'), h('span', { class: 'choice-hint', text: 'No unread badge for it. Mentions of you still show.' })),
    box,
  );
}

function buildInvite(roomId, reload) {
  return nicknameForm({
    id: 'invite-username',
    label: 'Invite by nickname',
    button: 'Invite',
    act: (name) => invite(roomId, name),
    done: (name, how) => {
      notify(how === 'invited' ? `Invited ${name}: they join when they accept` : `Added ${name} to the room`, 'success');
      reload();
    },
  });
}

function renderMembers(list, count, detail) {
  const ownerId = detail.owner_id;
  const iOwn = ownerId === state.me?.id;
  count.textContent = plural(detail.members.length, 'member', 'members');
  const people = [...detail.members].sort((a, b) => (b.id === ownerId) - (a.id === ownerId) || displayName(a).localeCompare(displayName(b)));
  replace(
    list,
    people.map((u) =>
      h(
        'li',
        { class: 'person', dataset: { username: u.username } },
        h(
          'button',
          { class: 'person-open', type: 'button', title: 'View profile', on: { click: () => openProfile(u) } },
          u.id === state.me?.id ? avatar(u, 'md') : withPresence(avatar(u, 'md'), u),
          h(
            'span',
            { class: 'person-text' },
            h('span', { class: 'person-name' }, displayName(u), u.id === state.me?.id ? h('span', { class: 'tag', text: 'you' }) : null, u.id === ownerId ? h('span', { class: 'tag owner', text: 'owner' }) : null),
            h('span', { class: 'person-sub', text: u.status_message || `@${u.username}` }),
          ),
        ),
        iOwn && u.id !== state.me?.id
          ? h('button', { class: 'icon-btn', type: 'button', 'aria-label': `Remove ${displayName(u)} from the room`, title: 'Remove from room', on: { click: () => onRemove(detail, u) } }, icon('userMinus'))
          : null,
      ),
    ),
  );
}

async function onRemove(room, user) {
  const ok = await confirmAction({
    title: `Remove ${displayName(user)}?`,
    text: `${displayName(user)} will no longer see new messages in “${room.name}”.`,
    confirm: 'Remove',
    danger: true,
  });
  if (!ok) return;
  try {
    await removeMember(room.id, user.username);
    notify(`Removed ${displayName(user)}`, 'success');
  } catch (e) {
    notify(`Could not remove ${displayName(user)}: ${e.message}`, 'error');
  }
}

async function onLeave(room) {
  const ok = await confirmAction({
    title: `Leave “${room.name}”?`,
    text: room.visibility === 'private' ? 'You will need a new invitation to come back.' : 'You can join again from Discover.',
    confirm: 'Leave room',
    danger: true,
  });
  if (!ok) return;
  try {
    await leaveRoom(room.id);
    closePanel({ restoreFocus: false });
    location.hash = '#/';
    notify(`You left “${room.name}”`, 'success');
  } catch (e) {
    notify(`Could not leave the room: ${e.message}`, 'error');
  }
}

async function onDelete(room) {
  const ok = await confirmAction({
    title: `Delete “${room.name}”?`,
    text: 'The room and all its messages will be gone for every member. This cannot be undone.',
    confirm: 'Delete room',
    danger: true,
  });
  if (!ok) return;
  try {
    await deleteRoom(room.id);
    closePanel({ restoreFocus: false });
    location.hash = '#/';
    notify(`Deleted “${room.name}”`, 'success');
  } catch (e) {
    notify(`Could not delete the room: ${e.message}`, 'error');
  }
}
