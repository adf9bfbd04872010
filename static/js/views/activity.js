// views/activity.js: owns Settings → Activity, a side panel reached from the settings
// panel: my recent sign-ins and security events (GET /api/me/activity), newest first. Each
// row has a label ("Signed in", "Password changed", "Sign-in refused", ...), when it
// happened (relative, the exact time as a tooltip), for a sign-in the device (from its
// User-Agent) and the address, and a "This device" badge on the session in use. Loaded
// when the panel opens; events land a moment after the action, so a Refresh button loads
// the newest again; "Load more" pages back. An empty state, and an error state.

import { h, replace, setText } from '../dom.js';
import { icon } from '../icons.js';
import { notify } from '../store.js';
import * as api from '../api.js';
import { relativeTime, exactTime, deviceName, plural } from '../format.js';
import { openPanel } from './panel.js';

const PAGE = 50;
const TICK_MS = 30000; // how often "5 minutes ago" is brought up to date

const KINDS = {
  account_created: { label: 'Account created', refused: 'Account creation refused', icon: 'userPlus' },
  sign_in: { label: 'Signed in', refused: 'Sign-in refused', icon: 'door' },
  sign_out: { label: 'Signed out', refused: 'Sign-out failed', icon: 'logout' },
  session_revoked: { label: 'Session revoked', refused: 'Revoking a session failed', icon: 'x' },
  other_sessions_revoked: { label: 'Signed out everywhere else', refused: 'Signing out everywhere else failed', icon: 'logout' },
  password_changed: { label: 'Password changed', refused: 'Password change refused', icon: 'key' },
  suspended: { label: 'Suspended', operator: 'Suspended by an operator', refused: 'Suspension refused', icon: 'ban' },
  reinstated: { label: 'Reinstated', refused: 'Reinstatement refused', icon: 'check' },
};

const refusedItem = (item) => Number(item.status) >= 400;

/** The row's label: "Signed in", "Sign-in refused", "Suspended by an operator", ... */
function activityLabel(item) {
  const kind = KINDS[item.kind];
  if (!kind) {
    const name = String(item.kind || 'event').replace(/_/g, ' ');
    const text = name[0].toUpperCase() + name.slice(1);
    return refusedItem(item) ? `${text} (refused)` : text;
  }
  if (refusedItem(item)) return kind.refused;
  return item.by_operator && kind.operator ? kind.operator : kind.label;
}

/** Why it was refused, as far as the status tells. */
function refusal(item) {
  const s = Number(item.status);
  const why =
    s === 401 && (item.kind === 'sign_in' || item.kind === 'password_changed')
      ? 'Wrong password'
      : s === 429
        ? 'Too many attempts'
        : s === 403
          ? 'Not allowed'
          : 'Refused';
  return `${why} (HTTP ${s})`;
}

/**
 * Opens the panel; `back: {label, go}` is the way back to the settings panel.
 */
export function openActivity({ back = null } = {}) {
  openPanel({
    key: 'activity',
    title: 'Account activity',
    back,
    render: (body) => {
      const view = activityView();
      replace(body, view.el);
      return view.cleanup;
    },
  });
}

function activityView() {
  // items so far (newest first), the cursor of the next page, the request on its way
  // ('first' | 'refresh' | 'more' | null) and whether a page ever came.
  const view = { items: [], next: null, loading: null, loaded: false, error: null, closed: false };
  const list = h('ul', { class: 'activity-list', id: 'activity-list', 'aria-label': 'Account activity', 'aria-busy': 'true', dataset: { state: 'loading' } });
  const status = h('p', { class: 'sr-only', id: 'activity-status', role: 'status' });
  const refreshBtn = h(
    'button',
    { class: 'btn subtle small', type: 'button', id: 'activity-refresh', title: 'Load the newest activity', on: { click: () => load('refresh') } },
    icon('retry'),
    'Refresh',
  );
  const moreBtn = h('button', { class: 'btn subtle block activity-more', type: 'button', id: 'activity-more', hidden: true, on: { click: () => load('more') } }, 'Load more');
  const el = h(
    'div',
    { class: 'activity' },
    h(
      'div',
      { class: 'activity-intro' },
      h('p', { class: 'muted', text: 'Sign-ins and changes to your account’s security, newest first. Something you just did shows up after a moment.' }),
      refreshBtn,
    ),
    status,
    list,
    moreBtn,
  );

  const setBusy = () => {
    const busy = Boolean(view.loading);
    list.setAttribute('aria-busy', String(busy));
    // aria-disabled rather than disabled: the focus stays on the button while it works.
    for (const b of [refreshBtn, moreBtn]) b.setAttribute('aria-disabled', String(busy));
    refreshBtn.classList.toggle('busy', busy);
    setText(moreBtn, view.loading === 'more' ? 'Loading…' : 'Load more');
  };

  const paint = () => {
    moreBtn.hidden = !view.next;
    if (!view.loaded) {
      if (view.error) {
        list.dataset.state = 'error';
        replace(
          list,
          h(
            'li',
            { class: 'empty error activity-error', role: 'alert' },
            icon('alert'),
            h('span', { text: `Could not load your activity: ${view.error}` }),
            h('button', { class: 'link-btn', type: 'button', on: { click: retry } }, 'Try again'),
          ),
        );
      } else {
        list.dataset.state = 'loading';
        replace(list, h('li', { class: 'empty', text: 'Loading…' }));
      }
      return;
    }
    if (!view.items.length) {
      list.dataset.state = 'empty';
      replace(
        list,
        h(
          'li',
          { class: 'empty activity-empty' },
          icon('shield'),
          h('span', { text: 'No activity yet. Sign-ins, sign-outs and password changes will show up here.' }),
        ),
      );
      return;
    }
    list.dataset.state = 'ready';
    const devices = sessionDevices(view.items);
    replace(list, view.items.map((item) => row(item, devices)));
  };

  async function load(mode) {
    if (view.loading || view.closed) return;
    if (mode === 'more' && !view.next) return;
    view.loading = mode;
    setBusy();
    if (!view.loaded) {
      view.error = null;
      paint(); // "Loading…" in place of an error shown before
    }
    try {
      const page = await api.activity({ before: mode === 'more' ? view.next : undefined, limit: PAGE });
      if (view.closed) return;
      const shown = view.items.length;
      if (mode === 'more') {
        const seen = new Set(view.items.map(itemKey));
        view.items = view.items.concat(page.items.filter((item) => !seen.has(itemKey(item))));
      } else {
        view.items = page.items;
      }
      view.next = page.next_before;
      view.loaded = true;
      view.error = null;
      paint();
      if (mode === 'more') {
        setText(status, `${plural(view.items.length - shown, 'older event', 'older events')} loaded`);
        // The focus to the first new row (the button may be gone: it was the last page).
        const first = list.children[shown];
        (first?.classList.contains('activity-item') ? first : moreBtn.hidden ? refreshBtn : moreBtn).focus();
      } else {
        setText(status, view.items.length ? `${plural(view.items.length, 'event', 'events')} shown` : 'No activity yet');
      }
    } catch (e) {
      if (view.closed) return;
      if (view.loaded) {
        notify(`Could not load ${mode === 'more' ? 'older activity' : 'your activity'}: ${e.message}`, 'error');
      } else {
        view.error = e.message;
        paint();
      }
    } finally {
      if (!view.closed) {
        view.loading = null;
        setBusy();
      }
    }
  }

  // "Try again" goes away with the error: the focus waits on Refresh.
  function retry() {
    refreshBtn.focus();
    load('first');
  }

  load('first');
  const timer = setInterval(() => paintTimes(list), TICK_MS);
  const cleanup = () => {
    view.closed = true;
    clearInterval(timer);
  };
  return { el, cleanup };
}

const itemKey = (item) => `${item.at}|${item.kind}|${item.request_id}|${item.session_id}`;

/** session_id -> the device it signed in from, from the sign-ins loaded. */
function sessionDevices(items) {
  const devices = new Map();
  for (const item of items) {
    if (item.kind === 'sign_in' && item.session_id && item.user_agent && !refusedItem(item)) {
      devices.set(item.session_id, deviceName(item.user_agent));
    }
  }
  return devices;
}

function row(item, devices) {
  const kind = KINDS[item.kind];
  const refused = refusedItem(item);
  const details = [];
  if (item.kind === 'sign_in') {
    const device = deviceName(item.user_agent);
    if (device) details.push(h('span', { class: 'activity-device', title: item.user_agent, text: device }));
    if (item.ip) details.push(h('span', { class: 'activity-ip', text: item.ip }));
  } else if (item.session_id && !item.by_operator && devices.has(item.session_id)) {
    // The device, when its sign-in is loaded too: of the session signed out or revoked,
    // or the one a change came from.
    const closed = item.kind === 'sign_out' || item.kind === 'session_revoked';
    details.push(h('span', { class: 'activity-device', text: `${closed ? '' : 'from '}${devices.get(item.session_id)}` }));
  }
  if (item.by_operator && !kind?.operator) details.push(h('span', { class: 'activity-operator', text: 'By an operator' }));
  if (refused) details.push(h('span', { class: 'activity-refusal', text: refusal(item) }));
  const sub = details.flatMap((d, i) => (i ? [h('span', { class: 'activity-dot', 'aria-hidden': 'true', text: ' · ' }), d] : [d]));
  return h(
    'li',
    {
      class: `activity-item${refused ? ' refused' : ''}${item.this_session ? ' this-session' : ''}`,
      tabindex: '-1',
      dataset: { kind: item.kind, status: item.status, sessionId: item.session_id, thisSession: item.this_session ? 'true' : null },
    },
    h('span', { class: 'activity-icon' }, icon(refused ? 'alert' : kind?.icon || 'shield')),
    h(
      'div',
      { class: 'activity-text' },
      h(
        'p',
        { class: 'activity-head' },
        h(
          'span',
          { class: 'activity-title' },
          h('span', { class: 'activity-label', text: activityLabel(item) }),
          item.this_session ? h('span', { class: 'tag this-device', text: 'This device' }) : null,
        ),
        Number.isFinite(Date.parse(item.at))
          ? h('time', { class: 'activity-time', dateTime: item.at, title: exactTime(item.at), text: relativeTime(item.at) })
          : null,
      ),
      sub.length ? h('p', { class: 'activity-sub' }, sub) : null,
    ),
  );
}

function paintTimes(list) {
  for (const t of list.querySelectorAll('time.activity-time')) {
    if (t.dateTime) setText(t, relativeTime(t.dateTime));
  }
}
