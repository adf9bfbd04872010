// views/search.js: owns message search (#16) in the sidebar: the search box above the room
// list (typing searches after a short pause, Enter at once, Escape clears it and closes
// the results), the results in place of the room list while a query is active, grouped by
// room in the order of their best result, each with its author, time and snippet (every
// match in a <mark>, built as nodes), "No results", the server's message when it refuses
// the query, "More results" for the next page, and opening a result: its room at that
// message (chat.js). Arrow keys move between the box and the results.

import { h, replace, setText } from '../dom.js';
import { icon } from '../icons.js';
import { state, on } from '../store.js';
import * as api from '../api.js';
import { displayName, shortStamp, fullTime, plural } from '../format.js';
import { showMessage } from './chat.js';
import { isCollapsed, BLOCKED_TEXT } from './blocked.js';

const DEBOUNCE_MS = 250;
const PAGE = 20;

let els = {};
let timer = null;
let controller = null; // aborts the request on its way
let generation = 0; // answers to an older request are dropped

// What the results show: the query they answer, the hits so far (ranked), the cursor of
// the next page, the request on its way ('new' | 'more' | null) and an error message.
const search = { query: '', hits: [], next: null, loading: null, error: null, moreError: null, opened: null };
let drawnRooms = ''; // the names of the rooms the results were drawn with

/**
 * Builds the search box and the results region; `roomNav` is the room list's region,
 * hidden while results show. Returns {box, results} for the sidebar to place.
 */
export function mountSearch(roomNav) {
  els.nav = roomNav;
  els.input = h('input', {
    id: 'search-input',
    type: 'search',
    name: 'q',
    placeholder: 'Search messages',
    autocomplete: 'off',
    autocapitalize: 'none',
    spellcheck: 'false',
    enterkeyhint: 'search',
    'aria-controls': 'search-results',
  });
  els.clear = h(
    'button',
    { class: 'icon-btn small search-clear', type: 'button', id: 'search-clear', 'aria-label': 'Clear search', title: 'Clear search (Esc)', hidden: true, on: { click: () => clear() } },
    icon('x'),
  );
  els.box = h(
    'form',
    { class: 'search-box', role: 'search', 'aria-label': 'Messages', on: { submit: onSubmit } },
    h('label', { for: 'search-input', class: 'sr-only', text: 'Search messages' }),
    icon('search', 'search-icon'),
    els.input,
    els.clear,
  );
  els.status = h('p', { class: 'search-status', id: 'search-status', role: 'status', 'aria-live': 'polite' });
  els.body = h('div', { class: 'search-body' });
  els.results = h(
    'section',
    { class: 'search-results', id: 'search-results', 'aria-label': 'Search results', hidden: true, on: { keydown: onResultsKey } },
    els.status,
    els.body,
  );
  els.input.addEventListener('input', onInput);
  els.input.addEventListener('keydown', onInputKey);

  // Room names in the group headings follow renames; a room left drops out when opened.
  on('rooms', () => {
    if (!els.results.hidden && roomsKey() !== drawnRooms) render();
  });
  on('me', (me) => {
    if (!me) clear({ focus: false });
  });
  return { box: els.box, results: els.results };
}

/** Whether a query is active (its results replace the room list). */
export const searching = () => !els.results?.hidden;

// ---- input ------------------------------------------------------------------------------

function onInput() {
  els.clear.hidden = els.input.value === '';
  clearTimeout(timer);
  const q = els.input.value.trim();
  if (!q) {
    close();
    return;
  }
  // The same query as shown (a space added): nothing new to ask.
  if (q === search.query && !search.error && search.loading !== 'new') return;
  timer = setTimeout(() => run(q), DEBOUNCE_MS);
}

function onSubmit(e) {
  e.preventDefault();
  clearTimeout(timer);
  const q = els.input.value.trim();
  if (q) run(q); // again when shown already: the index may have caught up since
  else close();
}

function onInputKey(e) {
  if (e.isComposing || e.keyCode === 229) return;
  if (e.key === 'Escape') {
    if (els.input.value === '' && els.results.hidden) return;
    e.preventDefault();
    clear();
  } else if (e.key === 'ArrowDown' && !els.results.hidden) {
    const first = hitButtons()[0];
    if (first) {
      e.preventDefault();
      first.focus();
    }
  }
}

/** Escape anywhere in the results clears the search; arrows move between results. */
function onResultsKey(e) {
  if (e.key === 'Escape') {
    e.preventDefault();
    clear();
    return;
  }
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  const buttons = hitButtons();
  const i = buttons.indexOf(document.activeElement);
  if (i < 0) return;
  e.preventDefault();
  if (e.key === 'ArrowUp' && i === 0) els.input.focus();
  else buttons[Math.min(buttons.length - 1, Math.max(0, i + (e.key === 'ArrowDown' ? 1 : -1)))].focus();
}

const hitButtons = () => Array.from(els.results.querySelectorAll('.search-hit'));

/** Empties the box and closes the results (the room list returns). */
export function clear({ focus = true } = {}) {
  if (!els.input) return;
  els.input.value = '';
  els.clear.hidden = true;
  clearTimeout(timer);
  close();
  if (focus) els.input.focus();
}

function close() {
  controller?.abort();
  controller = null;
  generation += 1;
  Object.assign(search, { query: '', hits: [], next: null, loading: null, error: null, moreError: null, opened: null });
  els.results.hidden = true;
  els.nav.hidden = false;
  delete els.results.dataset.state;
  delete els.results.dataset.query;
  setText(els.status, '');
  els.body.replaceChildren();
}

// ---- asking the server ------------------------------------------------------------------

/** Searches `q` from its first page, or (`more`) the next page of the results shown. */
async function run(q, { more = false } = {}) {
  controller?.abort();
  controller = new AbortController();
  const mine = ++generation;
  if (more) {
    search.loading = 'more';
    search.moreError = null;
  } else {
    // The results shown stay until the new ones come (no flicker while typing).
    search.query = q;
    search.loading = 'new';
  }
  render();
  try {
    const page = await api.search(q, { before: more ? search.next : undefined, limit: PAGE, signal: controller.signal });
    if (mine !== generation) return;
    const seen = new Set(more ? search.hits.map((x) => x.message.id) : []);
    const fresh = page.results.filter((x) => x?.message?.id && !seen.has(x.message.id));
    search.hits = more ? [...search.hits, ...fresh] : fresh;
    search.next = page.next_before;
    search.loading = null;
    search.error = null;
    if (!more) search.opened = null;
    render();
    if (more && fresh.length) focusHit(fresh[0].message.id);
  } catch (e) {
    if (e?.name === 'AbortError' || mine !== generation) return;
    search.loading = null;
    if (more) search.moreError = e.message;
    else {
      search.error = e.message;
      search.hits = [];
      search.next = null;
    }
    render();
  } finally {
    if (mine === generation) controller = null;
  }
}

function focusHit(messageId) {
  const b = els.results.querySelector(`.search-hit[data-message-id="${CSS.escape(messageId)}"]`);
  b?.focus();
}

// ---- drawing ----------------------------------------------------------------------------

const roomName = (roomId) => state.rooms.get(roomId)?.name ?? 'A room you left';

function roomsKey() {
  const ids = [...new Set(search.hits.map((x) => x.message.room_id))];
  return ids.map((id) => `${id}:${state.rooms.get(id)?.name ?? ''}`).join('|');
}

/** The results grouped by room: rooms in the order of their best result. */
function groups() {
  const byRoom = new Map();
  for (const hit of search.hits) {
    const id = hit.message.room_id;
    if (!byRoom.has(id)) byRoom.set(id, []);
    byRoom.get(id).push(hit);
  }
  return [...byRoom.entries()];
}

function render() {
  const active = Boolean(search.query);
  els.results.hidden = !active;
  els.nav.hidden = active;
  if (!active) return;
  els.results.dataset.query = search.query;
  els.results.dataset.state = search.loading === 'new' ? 'loading' : search.error ? 'error' : 'done';
  els.results.setAttribute('aria-busy', search.loading ? 'true' : 'false');
  drawnRooms = roomsKey();
  // Keep the focus on the result it was on when the list is drawn again.
  const focusedId = els.results.contains(document.activeElement) ? document.activeElement.dataset.messageId : null;

  if (search.loading === 'new' && !search.hits.length) {
    replace(els.status, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Searching…');
    els.body.replaceChildren();
    return;
  }
  if (search.error) {
    setText(els.status, '');
    replace(
      els.body,
      h('div', { class: 'empty error search-error', role: 'alert' }, icon('alert'), h('span', { text: search.error })),
    );
    return;
  }
  if (search.loading === 'new') {
    replace(els.status, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Searching…');
  } else if (search.hits.length) {
    const n = search.hits.length;
    setText(els.status, `${search.next ? `${n}+ results` : plural(n, 'result', 'results')} for “${search.query}”`);
  } else {
    setText(els.status, '');
  }

  if (!search.hits.length) {
    replace(
      els.body,
      h(
        'div',
        { class: 'search-empty' },
        h('p', { class: 'empty-title', text: 'No results' }),
        h('p', { text: `Nothing in your rooms matches “${search.query}”. Try other words, or fewer of them.` }),
      ),
    );
    return;
  }

  const parts = groups().map(([roomId, hits], i) => {
    const headingId = `search-group-${i}`;
    return h(
      'div',
      { class: 'search-group', dataset: { roomId } },
      h('h3', { class: 'search-group-title', id: headingId, text: roomName(roomId) }),
      h('ul', { class: 'search-hits', 'aria-labelledby': headingId }, hits.map((hit) => h('li', null, hitButton(hit, roomName(roomId))))),
    );
  });
  if (search.next || search.loading === 'more') {
    parts.push(
      h(
        'button',
        { class: 'btn subtle search-more', type: 'button', disabled: search.loading === 'more', on: { click: () => run(search.query, { more: true }) } },
        search.loading === 'more' ? 'Loading more…' : 'More results',
      ),
    );
  }
  if (search.moreError) parts.push(h('p', { class: 'form-error search-more-error', role: 'alert', text: search.moreError }));
  replace(els.body, parts);
  if (focusedId) focusHit(focusedId);
}

function hitButton(hit, room) {
  const m = hit.message;
  const collapsed = isCollapsed(m);
  const snippet = h('span', { class: `search-hit-snippet${collapsed ? ' blocked' : ''}` });
  if (collapsed) snippet.textContent = BLOCKED_TEXT;
  else appendSnippet(snippet, hit.snippet);
  const opened = search.opened === m.id;
  return h(
    'button',
    {
      class: `search-hit${opened ? ' opened' : ''}`,
      type: 'button',
      'aria-current': opened ? 'true' : null,
      dataset: { messageId: m.id, roomId: m.room_id, seq: m.seq },
      on: { click: () => openHit(hit) },
    },
    h(
      'span',
      { class: 'search-hit-head' },
      h('span', { class: 'search-hit-author', text: displayName(m.author) }),
      h('span', { class: 'sr-only', text: ` in ${room}, ` }),
      h('time', { class: 'search-hit-time', dateTime: m.created_at, title: fullTime(m.created_at), text: shortStamp(m.created_at) }),
      m.edited_at ? h('span', { class: 'msg-edited', text: '(edited)' }) : null,
    ),
    snippet,
  );
}

/**
 * The snippet's text with each highlight in a <mark>. Highlights are [start, end) in code
 * points (not UTF-16 units); out of range or overlapping ones are clamped and merged.
 */
export function appendSnippet(el, snippet) {
  const chars = Array.from(String(snippet?.text ?? ''));
  const spans = (Array.isArray(snippet?.highlights) ? snippet.highlights : [])
    .filter((x) => Array.isArray(x) && Number.isInteger(x[0]) && Number.isInteger(x[1]))
    .map(([a, b]) => [Math.max(0, Math.min(a, chars.length)), Math.max(0, Math.min(b, chars.length))])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let at = 0;
  for (const [a, b] of spans) {
    const start = Math.max(a, at);
    if (b <= start) continue;
    if (start > at) el.append(chars.slice(at, start).join(''));
    el.append(h('mark', { text: chars.slice(start, b).join('') }));
    at = b;
  }
  if (at < chars.length) el.append(chars.slice(at).join(''));
  return el;
}

/** Opens the result's room at its message; the result stays marked as the one open. */
async function openHit(hit) {
  const m = hit.message;
  search.opened = m.id;
  for (const b of hitButtons()) {
    const is = b.dataset.messageId === m.id;
    b.classList.toggle('opened', is);
    if (is) b.setAttribute('aria-current', 'true');
    else b.removeAttribute('aria-current');
  }
  await showMessage(m.room_id, m.id, m.seq);
}
