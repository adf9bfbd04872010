// views/settings.js: owns the profile and settings panel: display name and status
// message, the privacy switches (views/privacy.js: read receipts, online status), the way
// to my account activity (views/activity.js: sign-ins and security events, a panel of its
// own with a way back here), the live-update transport (SSE or polling every second),
// logging out, and deleting the account after a confirmation.

import { h, replace, busy } from '../dom.js';
import { icon } from '../icons.js';
import { state, on, notify, setSettings } from '../store.js';
import { updateProfile, signOut, deleteAccount } from '../actions.js';
import { restartTransport } from '../stream.js';
import { leaveApp } from '../session.js';
import { displayName } from '../format.js';
import { avatar } from './avatar.js';
import { openPanel } from './panel.js';
import { confirmAction } from './notices.js';
import { privacySection } from './privacy.js';
import { openActivity } from './activity.js';

export function openSettings() {
  openPanel({
    key: 'settings',
    title: 'Profile and settings',
    render: (body) => {
      const card = h('div', { class: 'profile-card' });
      const paintCard = () => {
        const me = state.me;
        if (!me) return;
        replace(card, avatar(me, 'lg'), h('div', {}, h('p', { class: 'profile-name', text: displayName(me) }), h('p', { class: 'muted', text: `@${me.username}` })));
      };
      paintCard();
      const privacy = privacySection();
      replace(body, card, profileForm(), privacy.el, activitySection(), transportForm(), accountSection());
      const off = on('me', paintCard);
      return () => {
        off();
        privacy.cleanup();
      };
    },
  });
}

function profileForm() {
  const me = state.me;
  const name = h('input', { id: 'profile-display', name: 'display_name', maxlength: '64', autocomplete: 'nickname', value: me.display_name || '' });
  const status = h('input', { id: 'profile-status', name: 'status_message', maxlength: '140', autocomplete: 'off', placeholder: 'What are you up to?', value: me.status_message || '' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'stack-form', novalidate: true, 'aria-labelledby': 'profile-heading' },
    h('h3', { class: 'section-title', id: 'profile-heading', text: 'Profile' }),
    h('div', { class: 'field' }, h('label', { for: 'profile-display', text: 'Display name' }), name),
    h('div', { class: 'field' }, h('label', { for: 'profile-status', text: 'Status message' }), status),
    error,
    h('button', { class: 'btn primary', type: 'submit', id: 'profile-save' }, 'Save profile'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const display_name = name.value.trim();
    const status_message = status.value.trim();
    if (!display_name) {
      error.textContent = 'A display name has at least one character';
      name.focus();
      return;
    }
    try {
      await busy(form, () => updateProfile({ display_name, status_message }));
      notify('Profile saved', 'success');
    } catch (err) {
      error.textContent = err.message;
    }
  });
  return form;
}

/** A row like the privacy switches that opens Settings → Activity. */
function activitySection() {
  const back = {
    label: 'Back to settings',
    go: () => {
      openSettings();
      document.getElementById('activity-btn')?.focus();
    },
  };
  return h(
    'div',
    { class: 'stack-form' },
    h('h3', { class: 'section-title', text: 'Activity' }),
    h(
      'button',
      {
        class: 'nav-row',
        type: 'button',
        id: 'activity-btn',
        'aria-labelledby': 'activity-btn-label',
        'aria-describedby': 'activity-btn-hint',
        on: { click: () => openActivity({ back }) },
      },
      h(
        'span',
        { class: 'choice-text' },
        h('span', { class: 'choice-label', id: 'activity-btn-label', text: 'Account activity' }),
        h('span', { class: 'choice-hint', id: 'activity-btn-hint', text: 'Recent sign-ins, sign-outs and password changes, and which device is this one.' }),
      ),
      icon('forward'),
    ),
  );
}

function transportForm() {
  const option = (value, label, hint) =>
    h(
      'label',
      { class: 'choice' },
      h('input', { type: 'radio', name: 'transport', value, checked: state.settings.transport === value }),
      h('span', { class: 'choice-text' }, h('span', { class: 'choice-label', text: label }), h('span', { class: 'choice-hint', text: hint })),
    );
  const fieldset = h(
    'fieldset',
    { class: 'choices' },
    h('legend', { class: 'section-title', text: 'Connection' }),
    option('sse', 'Live updates (recommended)', 'Messages arrive the moment they are sent, over one event stream.'),
    option('polling', 'Polling every second', 'Asks the server for news every second. For networks that block event streams.'),
  );
  fieldset.addEventListener('change', (e) => {
    if (e.target.name !== 'transport') return;
    setSettings({ transport: e.target.value });
    restartTransport();
    notify(e.target.value === 'polling' ? 'Switched to polling every second' : 'Switched to live updates', 'success');
  });
  return fieldset;
}

function accountSection() {
  return h(
    'div',
    { class: 'account-section' },
    h('h3', { class: 'section-title', text: 'Account' }),
    h(
      'div',
      { class: 'panel-actions' },
      h('button', { class: 'btn', type: 'button', id: 'logout-btn', on: { click: onLogout } }, icon('logout'), 'Log out'),
      h('button', { class: 'btn danger', type: 'button', id: 'delete-account-btn', on: { click: onDeleteAccount } }, icon('trash'), 'Delete account'),
    ),
  );
}

async function onLogout() {
  try {
    await signOut();
    leaveApp('You are signed out. See you soon!');
  } catch (e) {
    if (e.status === 401) leaveApp('You are signed out.');
    else notify(`Could not log out: ${e.message}`, 'error');
  }
}

async function onDeleteAccount() {
  const ok = await confirmAction({
    title: 'Delete your account?',
    text: 'Your profile, friends, saved messages and room memberships will be deleted. Messages you sent stay, shown as from a deleted user. This cannot be undone.',
    confirm: 'Delete my account',
    danger: true,
  });
  if (!ok) return;
  try {
    await deleteAccount();
    leaveApp('Your account was deleted.');
  } catch (e) {
    notify(`Could not delete the account: ${e.message}`, 'error');
  }
}
