// views/message-menu.js: owns the actions menu of a message: a small toolbar beside the
// bubble (shown on hover or keyboard focus on desktop; on touch screens a tap or a long
// press on the bubble shows it) with react, reply, edit (my own), delete (my own, or any
// if I own the room; after a confirmation) and save.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { state, notify } from '../store.js';
import { toggleSaved, deleteMessage } from '../actions.js';
import { openPicker } from './reactions.js';
import { confirmAction } from './notices.js';

const LONG_PRESS_MS = 450;

/** Whether I may delete `m`: my own, or any message of a room I own. */
export function canDelete(m) {
  const me = state.me?.id;
  if (!me || m.deleted) return false;
  return m.author?.id === me || state.rooms.get(m.room_id)?.owner_id === me;
}

/**
 * The toolbar for confirmed message `m`. `reply(m)` and `edit(m)` come from the chat view
 * (they work on its composer and list).
 */
export function messageMenu(m, { reply, edit }) {
  const own = m.author?.id === state.me?.id;
  const saved = state.savedIds.has(m.id);
  const button = (cls, label, ic, click, extra = {}) =>
    h('button', { class: `icon-btn small ${cls}`, type: 'button', 'aria-label': label, title: label, on: { click }, ...extra }, icon(ic));
  return h(
    'div',
    { class: 'msg-menu', role: 'toolbar', 'aria-label': 'Message actions' },
    button('react-btn', 'Add a reaction', 'smile', (e) => openPicker(e.currentTarget, m), { 'aria-haspopup': 'true' }),
    button('reply-btn', 'Reply', 'reply', () => reply(m)),
    own ? button('edit-btn', 'Edit message', 'edit', () => edit(m)) : null,
    canDelete(m) ? button('delete-btn', 'Delete message', 'trash', () => onDelete(m)) : null,
    h(
      'button',
      {
        class: `icon-btn small save-btn${saved ? ' on' : ''}`,
        type: 'button',
        'aria-label': saved ? 'Remove from saved messages' : 'Save message',
        'aria-pressed': String(saved),
        title: saved ? 'Saved: click to remove' : 'Save message',
        on: { click: () => onToggleSave(m) },
      },
      icon('bookmark'),
    ),
  );
}

/**
 * Touch: a tap on the bubble (not on a link, quote or chip) shows or hides its menu, and
 * a long press shows it; one message's menu at a time.
 */
export function touchMenu(li, bubble) {
  let timer = null;
  let pressed = false;
  let touch = false; // whether the click to come is a tap (a mouse has hover instead)
  const show = (yes) => {
    if (yes) document.querySelectorAll('#message-list li.msg.show-actions').forEach((o) => o !== li && o.classList.remove('show-actions'));
    li.classList.toggle('show-actions', yes);
  };
  bubble.addEventListener('pointerdown', (e) => {
    touch = e.pointerType === 'touch' || e.pointerType === 'pen';
    if (!touch) return;
    pressed = false;
    clearTimeout(timer);
    timer = setTimeout(() => {
      pressed = true;
      show(true);
    }, LONG_PRESS_MS);
  });
  const stop = () => clearTimeout(timer);
  bubble.addEventListener('pointerup', stop);
  bubble.addEventListener('pointercancel', stop);
  bubble.addEventListener('pointermove', (e) => {
    if (Math.abs(e.movementX) + Math.abs(e.movementY) > 6) stop();
  });
  bubble.addEventListener('click', (ev) => {
    if (!touch || ev.target.closest('a, button, textarea')) return;
    if (pressed) {
      pressed = false; // the click that ends a long press keeps the menu open
      return;
    }
    show(!li.classList.contains('show-actions'));
  });
}

async function onDelete(m) {
  const own = m.author?.id === state.me?.id;
  const ok = await confirmAction({
    title: 'Delete this message?',
    text: own
      ? 'It will be removed for everyone in the room. This cannot be undone.'
      : 'You own this room: the message will be removed for everyone. This cannot be undone.',
    confirm: 'Delete',
    danger: true,
  });
  if (!ok) return;
  try {
    await deleteMessage(m);
  } catch (e) {
    notify(`Could not delete the message: ${e.message}`, 'error');
  }
}

async function onToggleSave(m) {
  try {
    const saved = await toggleSaved(m);
    notify(saved ? 'Saved. Find it under Saved messages' : 'Removed from saved messages', 'success');
  } catch (e) {
    notify(`Could not update saved messages: ${e.message}`, 'error');
  }
}
