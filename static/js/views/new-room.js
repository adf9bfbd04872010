// views/new-room.js: owns the new-room form: name, public or private, and the people to
// invite (nicknames separated by commas or spaces; those who do not have me as a friend
// get an invitation instead). The new room opens when created.

import { h, replace, busy } from '../dom.js';
import { icon } from '../icons.js';
import { state, notify } from '../store.js';
import { createRoom } from '../actions.js';
import { openPanel, closePanel } from './panel.js';

export function openNewRoom() {
  openPanel({
    key: 'new-room',
    title: 'New room',
    render: (body) => {
      const name = h('input', { id: 'room-name', name: 'name', maxlength: '100', autocomplete: 'off', required: true, placeholder: 'e.g. Weekend plans 🏕️' });
      const members = h('input', { id: 'room-members', name: 'members', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', placeholder: 'nicknames, separated by commas', 'aria-describedby': 'room-members-hint' });
      const error = h('p', { class: 'form-error', role: 'alert' });
      const choice = (value, label, hint, ic) =>
        h(
          'label',
          { class: 'choice' },
          h('input', { type: 'radio', name: 'visibility', value, checked: value === 'private' }),
          h('span', { class: 'choice-text' }, h('span', { class: 'choice-label' }, icon(ic), ` ${label}`), h('span', { class: 'choice-hint', text: hint })),
        );
      const form = h(
        'form',
        { class: 'stack-form', id: 'new-room-form', novalidate: true },
        h('div', { class: 'field' }, h('label', { for: 'room-name', text: 'Room name' }), name),
        h(
          'fieldset',
          { class: 'choices' },
          h('legend', { text: 'Who can join' }),
          choice('private', 'Private', 'Only people invited by a member.', 'lock'),
          choice('public', 'Public', 'Anyone can find it in Discover and join.', 'globe'),
        ),
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'room-members', text: 'Invite people' }),
          members,
          h('p', { class: 'hint', id: 'room-members-hint', text: 'Optional. You can invite more people later.' }),
        ),
        error,
        h('button', { class: 'btn primary block', type: 'submit' }, icon('plus'), 'Create room'),
      );
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        error.textContent = '';
        const roomName = name.value.trim();
        if (!roomName) {
          error.textContent = 'Give the room a name';
          name.focus();
          return;
        }
        const visibility = form.querySelector('input[name="visibility"]:checked')?.value || 'private';
        const me = state.me?.username.toLowerCase();
        const invited = [...new Set(members.value.split(/[\s,]+/).map((s) => s.replace(/^@/, '').trim()).filter(Boolean))].filter((u) => u.toLowerCase() !== me);
        try {
          const room = await busy(form, () => createRoom(roomName, visibility, invited));
          closePanel({ restoreFocus: false });
          if (room) location.hash = `#/room/${room.id}`;
          // People who do not have me as a friend are invited rather than added.
          const waiting = room ? Math.max(0, invited.length + 1 - (room.member_count ?? invited.length + 1)) : 0;
          const note = waiting ? `; ${waiting === 1 ? '1 person is' : `${waiting} people are`} invited and join when they accept` : '';
          notify(room ? `Created “${roomName}”${note}` : `Creating “${roomName}”…`, 'success');
        } catch (err) {
          error.textContent = err.code === 'not_found' && err.message !== 'This server does not support that yet' ? `${err.message}. Check the nicknames to invite` : err.message;
        }
      });
      replace(body, form);
      return null;
    },
  });
}
