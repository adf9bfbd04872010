// views/panel.js: owns the side panel (a drawer on the right on wide screens, full screen
// on phones) that hosts saved messages, friends, settings, room details, discovery and
// the new-room form: opening with a title (and a back button for a panel reached from
// another), focus on its first control, Escape to close, and focus back to the control
// that opened it.

import { $, h, replace, focusables } from '../dom.js';
import { icon } from '../icons.js';

let opener = null;
let current = null; // {key, cleanup}

/**
 * openPanel({key, title, render}) where render(body, close) fills the panel body and may
 * return a cleanup function (called on close). Opening the same key again closes it.
 * `back: {label, go}` puts a back button before the title (`go` opens the panel before).
 */
export function openPanel({ key, title, render, toggle = true, back = null }) {
  if (current && current.key === key && toggle) {
    closePanel();
    return;
  }
  const prevOpener = current ? opener : document.activeElement;
  closePanel({ restoreFocus: false });
  opener = prevOpener;
  const panel = $('#panel');
  const body = h('div', { class: 'panel-body' });
  const closeBtn = h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'Close panel', on: { click: () => closePanel() } }, icon('x'));
  const backBtn = back
    ? h('button', { class: 'icon-btn panel-back', type: 'button', id: 'panel-back', 'aria-label': back.label, title: back.label, on: { click: () => back.go() } }, icon('back'))
    : null;
  replace(
    panel,
    h('header', { class: `panel-head${back ? ' has-back' : ''}` }, backBtn, h('h2', { id: 'panel-title', text: title }), closeBtn),
    body,
  );
  panel.dataset.key = key;
  panel.hidden = false;
  $('#panel-backdrop').hidden = false;
  document.body.classList.add('panel-open');
  const cleanup = render(body, closePanel);
  current = { key, cleanup };
  const first = focusables(body)[0] || closeBtn;
  first.focus();
}

export function closePanel({ restoreFocus = true } = {}) {
  if (!current) return;
  const { cleanup } = current;
  current = null;
  if (typeof cleanup === 'function') cleanup();
  const panel = $('#panel');
  panel.hidden = true;
  panel.replaceChildren();
  delete panel.dataset.key;
  $('#panel-backdrop').hidden = true;
  document.body.classList.remove('panel-open');
  if (restoreFocus && opener && document.contains(opener)) opener.focus();
  opener = null;
}

export const panelKey = () => current?.key ?? null;

export function mountPanel() {
  $('#panel-backdrop').addEventListener('click', () => closePanel());
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && current && !$('#confirm').open) {
      e.preventDefault();
      closePanel();
    }
  });
}
