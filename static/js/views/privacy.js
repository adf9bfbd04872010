// views/privacy.js: owns the privacy switches of the settings panel, kept on the server
// (GET/PUT /api/me/settings): sharing read receipts ("Seen by") and sharing my online
// status (presence). Loaded when the panel opens; a `settings` event from another session
// moves them too.

import { h } from '../dom.js';
import { on, notify } from '../store.js';
import { mySettings, updateMySettings } from '../actions.js';

const SWITCHES = [
  {
    key: 'share_read_receipts',
    id: 'share-read-receipts',
    label: 'Share read receipts',
    hint: 'Show your name in “Seen by” under other people’s messages. When off, you are left out of those lists.',
    yes: 'Others can see when you have read their messages',
    no: 'Your read receipts are hidden',
  },
  {
    key: 'share_presence',
    id: 'share-presence',
    label: 'Share my online status',
    hint: 'Friends and people in your rooms see whether you are online or away. When off, everyone sees you offline.',
    yes: 'Others can see when you are online',
    no: 'Everyone sees you offline now',
  },
];

/** The section; returns {el, cleanup}. */
export function privacySection() {
  const boxes = new Map(); // key -> checkbox
  const rows = SWITCHES.map((s) => {
    const box = h('input', { type: 'checkbox', id: s.id, role: 'switch', disabled: true });
    boxes.set(s.key, box);
    box.addEventListener('change', () => change(s, box));
    return h(
      'label',
      { class: 'switch-row', for: s.id },
      h('span', { class: 'choice-text' }, h('span', { class: 'choice-label', text: s.label }), h('span', { class: 'choice-hint', text: s.hint })),
      box,
    );
  });
  const show = (settings) => {
    for (const [key, box] of boxes) {
      if (typeof settings?.[key] === 'boolean' && !box.busy) box.checked = settings[key];
    }
  };
  mySettings()
    .then((settings) => {
      for (const [key, box] of boxes) {
        box.checked = settings?.[key] !== false;
        box.disabled = false;
      }
    })
    .catch((e) => notify(`Could not load your settings: ${e.message}`, 'error'));
  const el = h('div', { class: 'stack-form' }, h('h3', { class: 'section-title', text: 'Privacy' }), rows);
  return { el, cleanup: on('my-settings', show) };
}

async function change(s, box) {
  const share = box.checked;
  box.disabled = true;
  box.busy = true;
  try {
    const settings = await updateMySettings({ [s.key]: share });
    box.checked = settings?.[s.key] ?? share;
    notify(share ? s.yes : s.no, 'success');
  } catch (e) {
    box.checked = !share;
    notify(`Could not change the setting: ${e.message}`, 'error');
  } finally {
    box.disabled = false;
    box.busy = false;
  }
}
