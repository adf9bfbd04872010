// views/invitations.js: owns invitations into rooms in the interface: the sidebar's
// button with a count badge and the banner over the room list while any are waiting, a
// notice when a new one comes, and the panel that lists them with Accept (join the room
// and open it) and Decline. Follows 'invitations'.

import { h, replace, setText } from '../dom.js';
import { icon } from '../icons.js';
import { on, notify } from '../store.js';
import { safety, invitationCount } from '../safety.js';
import { acceptInvitation, declineInvitation } from '../actions.js';
import { displayName, shortStamp, fullTime } from '../format.js';
import { roomAvatar } from './avatar.js';
import { openPanel, closePanel } from './panel.js';

const invitationsLabel = (n) => (n ? `Invitations (${n} waiting)` : 'Invitations');

/** The icon button of the account bar, with the count of waiting invitations. */
export function invitationsButton() {
  const count = h('span', { class: 'icon-badge', id: 'invitations-count', hidden: true });
  const button = h('button', { class: 'icon-btn has-badge', type: 'button', id: 'invitations-btn', on: { click: openInvitations } }, icon('mail'), count);
  const paint = () => {
    const n = invitationCount();
    count.hidden = n === 0;
    setText(count, n > 9 ? '9+' : String(n));
    button.setAttribute('aria-label', invitationsLabel(n));
    button.title = invitationsLabel(n);
  };
  on('invitations', paint);
  paint();
  return button;
}

/** The banner over the room list while invitations are waiting. */
export function invitationsBanner() {
  const text = h('span', { class: 'invite-banner-text' });
  const el = h('button', { class: 'invite-banner', type: 'button', id: 'invitations-banner', hidden: true, on: { click: openInvitations } }, icon('mail'), text, h('span', { class: 'invite-banner-go', text: 'View' }));
  const paint = () => {
    const n = invitationCount();
    el.hidden = n === 0;
    setText(text, n === 1 ? '1 invitation to a room' : `${n} invitations to rooms`);
  };
  on('invitations', paint);
  paint();
  return el;
}

export function mountInvitations() {
  on('invitations', (created) => {
    if (created) notify(`${displayName(created.inviter)} invited you to “${created.room.name}”`);
  });
}

export function openInvitations() {
  openPanel({
    key: 'invitations',
    title: 'Invitations',
    render: (body) => {
      const list = h('ul', { class: 'invitation-list', id: 'invitation-list', 'aria-label': 'Invitations' });
      const paint = () => renderInvitations(list);
      replace(
        body,
        h('p', { class: 'muted', text: 'When someone who is not on your friend list adds you to a room, it waits here until you accept.' }),
        list,
      );
      if (safety.invitations) paint();
      else replace(list, h('li', { class: 'empty', text: 'Loading…' }));
      return on('invitations', paint);
    },
  });
}

function renderInvitations(list) {
  const invitations = safety.invitations || [];
  if (!invitations.length) {
    replace(list, h('li', { class: 'empty' }, icon('mail'), h('span', { text: 'No invitations right now.' })));
    return;
  }
  replace(
    list,
    invitations.map((inv) => {
      const accept = h('button', { class: 'btn primary small', type: 'button', 'aria-label': `Accept the invitation to ${inv.room.name}` }, icon('check'), 'Accept');
      const decline = h('button', { class: 'btn small', type: 'button', 'aria-label': `Decline the invitation to ${inv.room.name}` }, 'Decline');
      const both = [accept, decline];
      accept.addEventListener('click', () => respond(both, async () => {
        const room = await acceptInvitation(inv);
        closePanel({ restoreFocus: false });
        if (room) location.hash = `#/room/${room.id}`;
        notify(`You joined “${inv.room.name}”`, 'success');
      }));
      decline.addEventListener('click', () => respond(both, async () => {
        await declineInvitation(inv);
        notify(`Declined the invitation to “${inv.room.name}”`);
      }));
      return h(
        'li',
        { class: 'invitation', dataset: { invitationId: inv.id, roomId: inv.room.id } },
        roomAvatar(inv.room, 'md'),
        h(
          'div',
          { class: 'person-text' },
          h('span', { class: 'person-name' }, inv.room.visibility === 'private' ? icon('lock', 'room-lock') : null, inv.room.name),
          h(
            'span',
            { class: 'person-sub' },
            `${displayName(inv.inviter)} invited you · `,
            h('time', { dateTime: inv.created_at, title: fullTime(inv.created_at), text: shortStamp(inv.created_at) }),
          ),
        ),
        h('div', { class: 'invitation-actions' }, accept, decline),
      );
    }),
  );
}

async function respond(buttons, work) {
  buttons.forEach((b) => (b.disabled = true));
  try {
    await work();
  } catch (e) {
    notify(`Could not answer the invitation: ${e.message}`, 'error');
    buttons.forEach((b) => (b.disabled = false));
  }
}
