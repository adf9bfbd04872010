// views/auth.js: owns the sign-in / create-account screen: the two tabs, the forms, and
// their error and notice lines (taken nickname, wrong password, server down, ...).

import { $, busy } from '../dom.js';
import { signIn, signUp } from '../actions.js';

let onSignedIn = () => {};

export function mountAuth({ signedIn }) {
  onSignedIn = signedIn;
  const tabs = [$('#tab-signin'), $('#tab-signup')];
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => selectTab(i));
    tab.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        e.preventDefault();
        const next = (i + 1) % 2;
        selectTab(next);
        tabs[next].focus();
      }
    });
  });

  $('#form-signin').addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const username = form.username.value.trim();
    const password = form.password.value;
    const error = $('#signin-error');
    error.textContent = '';
    if (!username || !password) {
      error.textContent = 'Enter your nickname and password';
      (username ? form.password : form.username).focus();
      return;
    }
    try {
      const user = await busy(form, () => signIn(username, password));
      form.password.value = '';
      onSignedIn(user);
    } catch (err) {
      error.textContent = err.message;
      if (err.code === 'invalid_credentials') form.password.select();
    }
  });

  $('#form-signup').addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const username = form.username.value.trim();
    const password = form.password.value;
    const display = form.display_name.value.trim();
    const error = $('#signup-error');
    error.textContent = '';
    const problem = checkSignup(username, password);
    if (problem) {
      error.textContent = problem.text;
      form[problem.field].focus();
      return;
    }
    try {
      const user = await busy(form, () => signUp(username, password, display));
      form.password.value = '';
      onSignedIn(user);
    } catch (err) {
      error.textContent = err.message;
      if (err.code === 'username_taken' || err.field === 'username') form.username.select();
      else if (err.field === 'password') form.password.focus();
    }
  });
}

function checkSignup(username, password) {
  const len = Array.from(username).length;
  if (len < 3 || len > 32) return { field: 'username', text: 'A nickname has 3 to 32 characters' };
  if (!/^[\p{L}\p{N}_.-]+$/u.test(username)) {
    return { field: 'username', text: 'A nickname may use letters, digits, _ . and - only' };
  }
  if (password.length < 8) return { field: 'password', text: 'A password has at least 8 characters' };
  if (password.length > 128) return { field: 'password', text: 'A password has at most 128 characters' };
  return null;
}

function selectTab(index) {
  const tabs = [$('#tab-signin'), $('#tab-signup')];
  const forms = [$('#form-signin'), $('#form-signup')];
  tabs.forEach((t, i) => {
    t.setAttribute('aria-selected', String(i === index));
    t.tabIndex = i === index ? 0 : -1;
    forms[i].hidden = i !== index;
  });
}

/** Shows the auth screen, optionally with a notice ("You are signed out", ...). */
export function showAuth(notice, kind = 'info') {
  $('#boot').hidden = true;
  $('#app').hidden = true;
  $('#auth').hidden = false;
  const el = $('#auth-notice');
  el.textContent = notice || '';
  el.dataset.kind = kind;
  el.hidden = !notice;
  $('#signin-error').textContent = '';
  $('#signup-error').textContent = '';
  document.title = 'Parley';
  const first = $('#form-signin').hidden ? $('#signup-username') : $('#signin-username');
  first.focus();
}

export function hideAuth() {
  $('#auth').hidden = true;
}
