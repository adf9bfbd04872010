// views/mentions.js: owns mentions in the client: the open room's members (fetched once
// per room, again when its membership changes), a message body as text with web
// addresses as links and the `@nickname`s it mentions styled (mine stronger), and the `@`
// autocomplete of the composer: a list of the room's members that inserts `@username `.

import { h } from '../dom.js';
import { state, on, emit } from '../store.js';
import { roomDetail } from '../actions.js';
import { displayName } from '../format.js';
import { avatar } from './avatar.js';

const MAX_OPTIONS = 6;

// ---- the room's members -----------------------------------------------------------------

const members = new Map(); // room id -> {list: [user] | null, loading: Promise | null}
let version = 0;

/** The members of a room if known; starts fetching them if not. */
export function roomMembers(roomId) {
  let entry = members.get(roomId);
  if (!entry) {
    entry = { list: null, loading: null };
    members.set(roomId, entry);
  }
  if (!entry.list && !entry.loading) {
    entry.loading = roomDetail(roomId)
      .then((detail) => {
        entry.list = detail.members || [];
        version += 1;
        // Messages already drawn may name members we did not know yet.
        const tl = state.timelines.get(roomId);
        if (tl && [...tl.bySeq.values()].some((m) => m.mentions?.length)) emit('timeline', roomId);
      })
      .catch(() => {})
      .finally(() => {
        entry.loading = null;
      });
  }
  return entry.list;
}

/** Changes whenever a member list arrives: part of a message's signature. */
export const membersVersion = () => version;

export function mountMentions() {
  on('members', (roomId) => {
    const entry = members.get(roomId);
    if (entry) entry.list = null;
    if (roomId === state.openRoomId) roomMembers(roomId);
  });
  on('open', (roomId) => roomId && roomMembers(roomId));
}

// ---- message bodies ---------------------------------------------------------------------

const URL_RE = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;
// `@name` not glued to a word before it (`bob@example.com` is an address).
const MENTION_RE = /(^|[^\p{L}\p{N}\p{M}_.-])@([\p{L}\p{N}\p{M}_.-]+)/gu;
const nameKey = (name) => name.normalize('NFKC').toLowerCase();

/**
 * Appends `m.body` to `el` as text: web addresses become links, and each `@name` that the
 * message mentions (its `mentions` ids, matched to the members known) a styled span.
 */
export function appendBody(el, m) {
  const named = new Map(); // name key -> user id
  if (m.mentions?.length) {
    if (state.me && m.mentions.includes(state.me.id)) named.set(nameKey(state.me.username), state.me.id);
    for (const u of members.get(m.room_id)?.list || []) {
      if (m.mentions.includes(u.id)) named.set(nameKey(u.username), u.id);
    }
  }
  const text = m.body || '';
  let last = 0;
  for (const match of text.matchAll(URL_RE)) {
    let href = null;
    try {
      const url = new URL(match[0]);
      if (url.protocol === 'http:' || url.protocol === 'https:') href = url.href;
    } catch {
      href = null;
    }
    if (!href) continue;
    appendMentions(el, text.slice(last, match.index), named);
    el.append(h('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow', text: match[0] }));
    last = match.index + match[0].length;
  }
  appendMentions(el, text.slice(last), named);
}

function appendMentions(el, text, named) {
  if (!named.size) {
    el.append(document.createTextNode(text));
    return;
  }
  let last = 0;
  for (const match of text.matchAll(MENTION_RE)) {
    const raw = match[2];
    // A nickname may end in `.`, `-` or `_`: `@kim.` names `kim.` or else `kim`.
    const name = named.has(nameKey(raw)) ? raw : raw.replace(/[._-]+$/, '');
    const id = named.get(nameKey(name));
    if (!id) continue;
    const at = match.index + match[1].length;
    el.append(document.createTextNode(text.slice(last, at)));
    const mine = id === state.me?.id;
    el.append(h('span', { class: `mention${mine ? ' me' : ''}`, text: `@${name}` }));
    last = at + 1 + name.length;
  }
  el.append(document.createTextNode(text.slice(last)));
}

// ---- the composer's autocomplete --------------------------------------------------------

/**
 * Adds `@` autocomplete to the composer's textarea; returns the list element to place
 * above it. Register it before the composer's own keydown handler: while the list is
 * open it takes ArrowUp/ArrowDown, Enter, Tab and Escape.
 */
export function attachMentions(input) {
  const list = h('ul', { class: 'mention-list', id: 'mention-list', role: 'listbox', 'aria-label': 'Members to mention', hidden: true });
  let options = []; // [user]
  let active = 0;
  let token = null; // {start, end}

  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', 'mention-list');

  const close = () => {
    if (list.hidden && !options.length) return;
    list.hidden = true;
    list.replaceChildren();
    options = [];
    token = null;
    input.removeAttribute('aria-activedescendant');
  };

  const paint = () => {
    list.replaceChildren(
      ...options.map((u, i) =>
        h(
          'li',
          {
            id: `mention-opt-${i}`,
            class: 'mention-option',
            role: 'option',
            'aria-selected': String(i === active),
            dataset: { username: u.username },
            on: {
              mousedown: (e) => e.preventDefault(), // keep focus in the composer
              click: () => pick(u),
              mousemove: () => {
                if (active !== i) {
                  active = i;
                  paint();
                }
              },
            },
          },
          avatar(u, 'sm'),
          h('span', { class: 'mention-option-name', text: displayName(u) }),
          h('span', { class: 'mention-option-user', text: `@${u.username}` }),
        ),
      ),
    );
    list.hidden = false;
    input.setAttribute('aria-activedescendant', `mention-opt-${active}`);
  };

  const update = () => {
    const roomId = state.openRoomId;
    const caret = input.selectionStart;
    if (!roomId || caret !== input.selectionEnd) return close();
    const before = input.value.slice(0, caret);
    const match = /(?:^|[^\p{L}\p{N}\p{M}_.-])@([\p{L}\p{N}\p{M}_.-]*)$/u.exec(before);
    if (!match) return close();
    const query = nameKey(match[1]);
    const people = roomMembers(roomId);
    if (!people) {
      // Still on its way: look again when it comes.
      const entry = members.get(roomId);
      entry?.loading?.then(() => document.activeElement === input && update());
      return close();
    }
    const rank = (u) => {
      const user = nameKey(u.username);
      const shown = nameKey(displayName(u));
      if (user.startsWith(query)) return 0;
      if (shown.startsWith(query) || shown.split(/\s+/).some((w) => w.startsWith(query))) return 1;
      if (user.includes(query) || shown.includes(query)) return 2;
      return -1;
    };
    const found = people
      .filter((u) => u.id !== state.me?.id)
      .map((u) => [rank(u), u])
      .filter(([r]) => r >= 0)
      .sort((a, b) => a[0] - b[0] || displayName(a[1]).localeCompare(displayName(b[1])))
      .slice(0, MAX_OPTIONS)
      .map(([, u]) => u);
    if (!found.length) return close();
    const sameList = found.length === options.length && found.every((u, i) => u.id === options[i].id);
    options = found;
    if (!sameList) active = 0;
    token = { start: caret - match[1].length - 1, end: caret };
    paint();
    return undefined;
  };

  const pick = (u) => {
    if (!token) return;
    const { start, end } = token;
    const insert = `@${u.username} `;
    const after = input.value.slice(end).replace(/^\s/, '');
    input.value = input.value.slice(0, start) + insert + after;
    const caret = start + insert.length;
    input.setSelectionRange(caret, caret);
    close();
    input.focus();
    input.dispatchEvent(new Event('input', { bubbles: true }));
  };

  input.addEventListener('input', update);
  input.addEventListener('click', update);
  input.addEventListener('keyup', (e) => {
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight' || e.key === 'Home' || e.key === 'End') update();
  });
  input.addEventListener('blur', () => setTimeout(() => document.activeElement !== input && close(), 150));
  input.addEventListener('keydown', (e) => {
    if (list.hidden || !options.length || e.isComposing || e.keyCode === 229) return;
    let handled = true;
    if (e.key === 'ArrowDown') active = (active + 1) % options.length;
    else if (e.key === 'ArrowUp') active = (active - 1 + options.length) % options.length;
    else if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
      pick(options[active]);
      handled = 'picked';
    } else if (e.key === 'Escape') close();
    else handled = false;
    if (!handled) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (handled === true && !list.hidden) paint();
  });
  on('open', close);
  return list;
}
