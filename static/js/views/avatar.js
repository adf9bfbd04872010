// views/avatar.js: owns avatars: a coloured disc with the first character of a name
// (a whole Korean syllable or emoji), coloured by a stable hash of the id.

import { h } from '../dom.js';
import { initial, hueFor, displayName } from '../format.js';

export function avatar(person, size = 'md') {
  const name = displayName(person);
  const el = h('span', { class: `avatar ${size}`, 'aria-hidden': 'true', text: person ? initial(name) : '?' });
  el.style.setProperty('--hue', String(person ? hueFor(person.id || name) : 220));
  if (!person) el.classList.add('ghost');
  return el;
}

export function roomAvatar(room, size = 'md') {
  const el = h('span', { class: `avatar room ${size}`, 'aria-hidden': 'true', text: initial(room.name) });
  el.style.setProperty('--hue', String(hueFor(room.id)));
  return el;
}
