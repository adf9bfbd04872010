// views/message-edit.js: owns editing a message in place: which message is being edited
// (one at a time), the textarea that takes the bubble's place with the text (Enter saves,
// Shift+Enter breaks the line, Escape cancels, IME-safe), saving through the API, and
// finding my last message for Up arrow in an empty composer.

import { h } from '../dom.js';
import { state, emit, notify, confirmed } from '../store.js';
import { editMessage } from '../actions.js';

const MAX_BODY = 4000;

let editing = null; // {roomId, messageId, draft, saving}
let afterEdit = () => {};

/** `done()` is called when editing ends (the chat view puts focus back in the composer). */
export function onEditEnd(done) {
  afterEdit = done;
}

export const editingId = (roomId) => (editing && editing.roomId === roomId ? editing.messageId : null);

/** My latest message of a room that can still be edited, or null. */
export function lastOwnMessage(roomId) {
  const tl = state.timelines.get(roomId);
  // In a window far back (a search result) my latest message is not held.
  if (!tl || tl.hasNewer) return null;
  const all = confirmed(tl);
  for (let i = all.length - 1; i >= 0; i -= 1) {
    const m = all[i];
    if (m.author?.id === state.me?.id && !m.deleted) return m;
  }
  return null;
}

export function startEdit(m) {
  if (m.deleted || m.author?.id !== state.me?.id) return;
  editing = { roomId: m.room_id, messageId: m.id, draft: m.body, saving: false };
  emit('timeline', m.room_id); // the chat view draws the editor now
  const box = document.querySelector('#message-list .msg-editor textarea');
  if (!box) return;
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
  box.closest('li')?.scrollIntoView({ block: 'nearest' });
}

export function cancelEdit() {
  if (!editing) return;
  const { roomId } = editing;
  editing = null;
  emit('timeline', roomId);
  afterEdit();
}

/** The editor that replaces the body of message `m` while it is edited. */
export function editor(m) {
  const box = h('textarea', {
    class: 'msg-edit-input',
    rows: '1',
    'aria-label': 'Edit message',
    maxlength: String(MAX_BODY * 2),
    value: editing?.messageId === m.id ? editing.draft : m.body,
  });
  const size = () => {
    box.style.height = 'auto';
    box.style.height = `${Math.min(box.scrollHeight, 240)}px`;
  };
  box.addEventListener('input', () => {
    if (editing?.messageId === m.id) editing.draft = box.value;
    size();
  });
  box.addEventListener('keydown', (e) => {
    if (e.isComposing || e.keyCode === 229) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      cancelEdit();
    } else if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      save(m, box.value);
    }
  });
  requestAnimationFrame(() => {
    size();
    // Rebuilt while being typed in (a reaction came, say): keep the focus in it.
    if (box.isConnected && (!document.activeElement || document.activeElement === document.body)) {
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    }
  });
  return h(
    'div',
    { class: 'msg-editor' },
    box,
    h(
      'div',
      { class: 'msg-edit-hint' },
      h('span', { text: 'Esc to cancel · Enter to save' }),
      h('button', { class: 'link-btn', type: 'button', on: { click: cancelEdit } }, 'Cancel'),
      h('button', { class: 'link-btn', type: 'button', on: { click: () => save(m, box.value) } }, 'Save'),
    ),
  );
}

async function save(m, text) {
  if (!editing || editing.messageId !== m.id || editing.saving) return;
  const body = text.trim();
  if (!body) {
    notify('A message cannot be empty: delete it instead', 'error');
    return;
  }
  if (Array.from(body).length > MAX_BODY) {
    notify(`A message has at most ${MAX_BODY} characters`, 'error');
    return;
  }
  if (body === m.body) {
    cancelEdit();
    return;
  }
  editing.saving = true;
  try {
    await editMessage(m, body);
    if (editing?.messageId === m.id) cancelEdit();
  } catch (e) {
    if (editing?.messageId === m.id) editing.saving = false;
    notify(`Could not edit the message: ${e.message}`, 'error');
  }
}
