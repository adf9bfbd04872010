// people.js: owns the glue of the live signals and safety between people (#14): which
// stream events they are (typing, presence, invitation, block, settings), applying each
// to the module that keeps it, and forgetting them all when the session ends.

import { emit } from './store.js';
import { applyTyping, resetTyping } from './typing.js';
import { setPresence, resetPresence } from './presence.js';
import { blockChanged, invitationChanged, resetSafety } from './safety.js';

export const PEOPLE_EVENTS = ['typing', 'presence', 'invitation', 'block', 'settings'];

/** Applies one of PEOPLE_EVENTS from the stream. */
export function applyPeopleEvent(name, data) {
  switch (name) {
    case 'typing':
      return applyTyping(data);
    case 'presence':
      return setPresence(data?.user_id, data?.state);
    case 'invitation':
      return invitationChanged(data?.change, data?.invitation);
    case 'block':
      return blockChanged(data?.user, Boolean(data?.blocked));
    case 'settings':
      // My settings changed (from any session): an open settings panel follows.
      return emit('my-settings', data);
    default:
      return undefined;
  }
}

export function resetPeople() {
  resetTyping();
  resetPresence();
  resetSafety();
}
