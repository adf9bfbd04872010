// views/reactions.js: owns reactions in the chat: the chips under a message (emoji and
// count, pressed when I reacted, a click toggles mine, plus a button to add another) and
// the small emoji picker with the common reactions, a popover placed next to the button
// that opened it and following it as the list scrolls (Escape, a click elsewhere, leaving
// the room or the message scrolling out of view closes it).

import { $, h } from '../dom.js';
import { icon } from '../icons.js';
import { state, on, notify } from '../store.js';
import { toggleReaction } from '../actions.js';
import { plural } from '../format.js';

/** The reactions offered in the picker (in the forms the server stores). */
export const COMMON = ['👍', '❤️', '😂', '😮', '😢', '🎉', '🙏', '🔥'];

export async function react(m, emoji) {
  try {
    await toggleReaction(m.room_id, m.id, emoji);
  } catch (e) {
    notify(`Could not react: ${e.message}`, 'error');
  }
}

/** The chips under a message, or null when it has no reactions. */
export function reactionChips(m) {
  const list = m.deleted ? [] : m.reactions || [];
  if (!list.length) return null;
  const add = h(
    'button',
    { class: 'reaction add', type: 'button', 'aria-label': 'Add a reaction', title: 'Add a reaction', on: { click: (e) => openPicker(e.currentTarget, m) } },
    icon('smile'),
  );
  return h(
    'div',
    { class: 'reactions', role: 'group', 'aria-label': 'Reactions' },
    list.map((r) =>
      h(
        'button',
        {
          class: `reaction${r.me ? ' me' : ''}`,
          type: 'button',
          'aria-pressed': String(Boolean(r.me)),
          'aria-label': `${r.emoji} ${plural(r.count, 'reaction', 'reactions')}${r.me ? ', including yours: click to take yours back' : ': click to add yours'}`,
          title: r.me ? 'You reacted: click to take it back' : 'Click to react too',
          dataset: { emoji: r.emoji },
          on: { click: () => react(m, r.emoji) },
        },
        h('span', { class: 'reaction-emoji', 'aria-hidden': 'true', text: r.emoji }),
        h('span', { class: 'reaction-count', 'aria-hidden': 'true', text: String(r.count) }),
      ),
    ),
    add,
  );
}

// ---- the picker -------------------------------------------------------------------------

let picker = null; // {el, messageId, anchor, cleanup}

/** The id of the message whose picker is open (its menu stays shown), or null. */
export const pickerFor = () => picker?.messageId ?? null;

export function closePicker({ restoreFocus = false } = {}) {
  if (!picker) return;
  const { el, anchor, messageId, cleanup } = picker;
  picker = null;
  cleanup();
  el.remove();
  document.querySelector(`#message-list li.msg[data-message-id="${messageId}"]`)?.classList.remove('menu-open');
  if (restoreFocus && document.contains(anchor)) anchor.focus();
}

/** Opens the picker for message `m` next to `anchor` (a second click closes it). */
export function openPicker(anchor, m) {
  if (picker?.messageId === m.id) {
    closePicker({ restoreFocus: true });
    return;
  }
  closePicker();
  const mine = new Set((m.reactions || []).filter((r) => r.me).map((r) => r.emoji));
  const el = h(
    'div',
    { class: 'emoji-picker', role: 'group', 'aria-label': 'Pick a reaction' },
    COMMON.map((emoji) =>
      h(
        'button',
        {
          class: `emoji-btn${mine.has(emoji) ? ' on' : ''}`,
          type: 'button',
          'aria-label': `React with ${emoji}`,
          'aria-pressed': String(mine.has(emoji)),
          title: `React with ${emoji}`,
          on: {
            click: () => {
              closePicker({ restoreFocus: true });
              react(m, emoji);
            },
          },
        },
        emoji,
      ),
    ),
  );
  document.body.append(el);
  place(el, anchor);

  const buttons = () => [...el.querySelectorAll('button')];
  // Escape closes it wherever the focus is (and goes no further: not a panel, not a reply).
  const onKey = (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      closePicker({ restoreFocus: el.contains(document.activeElement) });
    } else if ((e.key === 'ArrowRight' || e.key === 'ArrowLeft') && el.contains(document.activeElement)) {
      const all = buttons();
      const i = all.indexOf(document.activeElement);
      if (i < 0) return;
      e.preventDefault();
      all[(i + (e.key === 'ArrowRight' ? 1 : all.length - 1)) % all.length].focus();
    }
  };
  const onDown = (e) => {
    if (!el.contains(e.target) && !anchor.contains(e.target)) closePicker();
  };
  let frame = 0;
  const onMove = () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => follow());
  };
  document.addEventListener('keydown', onKey, true);
  document.addEventListener('pointerdown', onDown, true);
  window.addEventListener('resize', onMove);
  $('#messages')?.addEventListener('scroll', onMove, { passive: true });
  const offOpen = on('open', () => closePicker());
  picker = {
    el,
    anchor,
    anchorSel: anchor.classList.contains('react-btn') ? '.msg-menu .react-btn' : '.reaction.add',
    messageId: m.id,
    cleanup: () => {
      cancelAnimationFrame(frame);
      document.removeEventListener('keydown', onKey, true);
      document.removeEventListener('pointerdown', onDown, true);
      window.removeEventListener('resize', onMove);
      $('#messages')?.removeEventListener('scroll', onMove);
      offOpen();
    },
  };
  anchor.closest('li.msg')?.classList.add('menu-open');
  // Focus only when opened from the keyboard, so a mouse user's hover is left alone.
  if (anchor.matches(':focus-visible')) buttons()[0].focus();
}

/**
 * Keeps the open picker next to its message's react button as the list scrolls or is
 * redrawn (the button may be a new one); closes it when the message is out of view.
 */
function follow() {
  if (!picker) return;
  let { anchor } = picker;
  if (!anchor.isConnected) {
    const li = document.querySelector(`#message-list li.msg[data-message-id="${picker.messageId}"]`);
    anchor = li?.querySelector(picker.anchorSel);
    if (!anchor) {
      closePicker();
      return;
    }
    picker.anchor = anchor;
    li.classList.add('menu-open');
  }
  const view = $('#messages')?.getBoundingClientRect();
  const a = anchor.getBoundingClientRect();
  if (view && (a.bottom < view.top || a.top > view.bottom)) {
    closePicker();
    return;
  }
  place(picker.el, anchor);
}

/** Above the anchor if there is room, else below it; kept inside the window. */
function place(el, anchor) {
  const a = anchor.getBoundingClientRect();
  const w = el.offsetWidth;
  const ht = el.offsetHeight;
  const margin = 8;
  const top = a.top - ht - 6 >= margin ? a.top - ht - 6 : Math.min(a.bottom + 6, window.innerHeight - ht - margin);
  const own = anchor.closest('li.msg')?.classList.contains('own');
  let left = own ? a.right - w : a.left;
  left = Math.max(margin, Math.min(left, window.innerWidth - w - margin));
  el.style.top = `${Math.round(top)}px`;
  el.style.left = `${Math.round(left)}px`;
  if (state.openRoomId) el.dataset.roomId = state.openRoomId;
}
