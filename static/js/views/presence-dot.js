// views/presence-dot.js: owns presence dots: a small disc at the corner of an avatar,
// green for online, amber for away and a hollow grey ring for offline, with its state as
// text for screen readers. Every dot on the page follows 'presence' by itself.

import { h } from '../dom.js';
import { on } from '../store.js';
import { presenceOf } from '../presence.js';

export const PRESENCE_LABELS = { online: 'Online', away: 'Away', offline: 'Offline' };

/** A dot for one user; place it in a positioned box (see `withPresence`). */
export function presenceDot(userId) {
  const el = h('span', { class: 'presence-dot', role: 'img', dataset: { userId } });
  paint(el);
  return el;
}

/** An avatar with its owner's dot, in one box (for lists of people). */
export function withPresence(avatarEl, user) {
  if (!user?.id) return avatarEl;
  return h('span', { class: 'avatar-box' }, avatarEl, presenceDot(user.id));
}

function paint(el) {
  const value = presenceOf(el.dataset.userId);
  if (el.dataset.state === value) return;
  el.dataset.state = value;
  el.title = PRESENCE_LABELS[value];
  el.setAttribute('aria-label', PRESENCE_LABELS[value]);
}

export function mountPresenceDots() {
  on('presence', (ids) => {
    for (const el of document.querySelectorAll('.presence-dot')) {
      if (!ids || ids.has(el.dataset.userId)) paint(el);
    }
  });
}
