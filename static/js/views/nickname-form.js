// views/nickname-form.js: owns the "someone by nickname" inline form shared by adding a
// friend and inviting to a room: the field, its button, the error line, and the submit
// flow (trim, refuse an empty name, run the action, explain an unknown nickname).

import { h, busy } from '../dom.js';
import { icon } from '../icons.js';

// { id, label, button, check(name) -> error text or null, act(name) -> Promise, done(name, what act gave) }
export function nicknameForm({ id, label, button, check = () => null, act, done }) {
  const input = h('input', { id, name: 'username', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', required: true });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'inline-form', novalidate: true },
    h('label', { for: id, text: label }),
    h('div', { class: 'inline-row' }, input, h('button', { class: 'btn primary', type: 'submit' }, icon('userPlus'), button)),
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
    const refused = check(name);
    if (refused) {
      error.textContent = refused;
      return;
    }
    try {
      const result = await busy(form, () => act(name));
      input.value = '';
      done(name, result);
    } catch (err) {
      error.textContent = err.code === 'not_found' && err.message !== 'This server does not support that yet' ? `No one is called “${name}”` : err.message;
    }
    input.focus();
  });
  return form;
}
