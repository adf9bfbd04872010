// views/connection.js: owns the connection indicator (live, reconnecting, polling,
// offline). Every indicator made here follows the store's connection state.

import { h, setText } from '../dom.js';
import { state, on } from '../store.js';

const LABELS = {
  live: ['Live', 'Connected: updates arrive as they happen'],
  reconnecting: ['Reconnecting…', 'The connection dropped; reconnecting without losing messages'],
  polling: ['Polling', 'Checking for new messages every second (Settings → Connection)'],
  offline: ['Offline', 'Not connected'],
};

const indicators = new Set();

export function connectionIndicator(extraClass = '') {
  const text = h('span', { class: 'conn-text' });
  const el = h('span', { class: `conn ${extraClass}`.trim(), role: 'status' }, h('span', { class: 'conn-dot', 'aria-hidden': 'true' }), text);
  indicators.add(el);
  paint(el);
  return el;
}

function paint(el) {
  const [label, title] = LABELS[state.connection] || LABELS.offline;
  el.dataset.state = state.connection;
  el.title = title;
  el.setAttribute('aria-label', `Connection: ${label.replace('…', '')}`);
  setText(el.querySelector('.conn-text'), label);
}

export function mountConnection() {
  on('connection', () => {
    for (const el of indicators) {
      if (!document.contains(el)) indicators.delete(el);
      else paint(el);
    }
  });
}
