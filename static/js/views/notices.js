// views/notices.js: owns short notices (toasts, announced politely to screen readers) and
// the confirmation dialog used before anything that cannot be undone.

import { $, h, replace } from '../dom.js';
import { on } from '../store.js';
import { icon } from '../icons.js';

export function mountNotices() {
  on('notice', ({ text, kind }) => toast(text, kind));
}

export function toast(text, kind = 'info') {
  const box = $('#toasts');
  const el = h(
    'div',
    { class: `toast ${kind}` },
    icon(kind === 'error' ? 'alert' : kind === 'success' ? 'check' : 'info'),
    h('span', { text }),
  );
  box.append(el);
  while (box.children.length > 3) box.firstElementChild.remove();
  setTimeout(() => {
    el.classList.add('leaving');
    setTimeout(() => el.remove(), 300);
  }, kind === 'error' ? 7000 : 4500);
}

/**
 * await confirmAction({title, text, confirm: 'Delete', danger: true}) → true or false.
 * A modal <dialog>: focus is kept inside and Escape cancels.
 */
export function confirmAction({ title, text, confirm = 'OK', cancel = 'Cancel', danger = false }) {
  const dialog = $('#confirm');
  const previous = document.activeElement;
  return new Promise((resolve) => {
    const cancelBtn = h('button', { class: 'btn', type: 'button', value: 'cancel', text: cancel });
    const okBtn = h('button', { class: `btn ${danger ? 'danger' : 'primary'}`, type: 'button', value: 'ok', text: confirm });
    replace(
      dialog,
      h(
        'form',
        { method: 'dialog', class: 'confirm-body' },
        h('h2', { id: 'confirm-title', text: title }),
        h('p', { id: 'confirm-text', text }),
        h('div', { class: 'confirm-actions' }, cancelBtn, okBtn),
      ),
    );
    let answer = false;
    okBtn.addEventListener('click', () => {
      answer = true;
      dialog.close();
    });
    cancelBtn.addEventListener('click', () => dialog.close());
    dialog.addEventListener(
      'close',
      () => {
        resolve(answer);
        if (previous && document.contains(previous)) previous.focus();
      },
      { once: true },
    );
    dialog.showModal();
    cancelBtn.focus();
  });
}
