// safety.js: owns what keeps people safe from each other in the client's state: the people
// I block (GET /api/blocks, then `block` events) and whose messages are collapsed, and the
// invitations into rooms addressed to me (GET /api/invitations, then `invitation` events:
// created adds one, accepted and declined take it away). Emits 'blocks' and
// 'invitations'; a change of blocks also redraws the open room ('timeline').

import * as api from './api.js';
import { state, emit } from './store.js';

export const safety = {
  blocks: null, // [user] most recent first, or null before the first load
  invitations: null, // [invitation] newest first, or null before the first load
};
const blocked = new Set(); // user ids I block
const unblocked = new Set(); // user ids I stopped blocking since their messages came

/** Loads both lists (at start, and again after a `reset` or a stream not resumed). */
export async function loadSafety() {
  const [blocks, invitations] = await Promise.all([api.blocks(), api.invitations()]);
  setBlocks(blocks);
  setInvitations(invitations);
}

// ---- blocks -----------------------------------------------------------------------------

export function setBlocks(list) {
  safety.blocks = list;
  blocked.clear();
  for (const u of list) blocked.add(u.id);
  emit('blocks');
  redraw();
}

export const isBlocked = (userId) => Boolean(userId && blocked.has(userId));

/** A `block` event (or my own block or unblock, confirmed). */
export function blockChanged(user, isNowBlocked) {
  if (!user?.id) return;
  const others = (safety.blocks || []).filter((u) => u.id !== user.id);
  safety.blocks = isNowBlocked ? [user, ...others] : others;
  if (isNowBlocked) {
    blocked.add(user.id);
    unblocked.delete(user.id);
  } else {
    blocked.delete(user.id);
    unblocked.add(user.id);
  }
  emit('blocks');
  redraw();
}

/**
 * Whether a message is from someone I block: the server's `from_blocked` mark, or an
 * author blocked since it came (and not one unblocked since).
 */
export function fromBlocked(m) {
  const id = m?.author?.id;
  if (!id || id === state.me?.id) return false;
  return blocked.has(id) || (Boolean(m.from_blocked) && !unblocked.has(id));
}

function redraw() {
  emit('rooms');
  if (state.openRoomId) emit('timeline', state.openRoomId);
}

// ---- invitations ------------------------------------------------------------------------

export function setInvitations(list) {
  safety.invitations = list;
  emit('invitations', null);
}

/** An `invitation` event (or my own accept or decline): `change` created|accepted|declined. */
export function invitationChanged(change, invitation) {
  if (!invitation?.id) return;
  const others = (safety.invitations || []).filter((i) => i.id !== invitation.id);
  const had = others.length !== (safety.invitations || []).length;
  if (change === 'created') {
    safety.invitations = [invitation, ...others];
    emit('invitations', had ? null : invitation); // a new one is announced
  } else if (had) {
    safety.invitations = others;
    emit('invitations', null);
  }
}

export const invitationCount = () => safety.invitations?.length ?? 0;

export function resetSafety() {
  safety.blocks = null;
  safety.invitations = null;
  blocked.clear();
  unblocked.clear();
  emit('blocks');
  emit('invitations', null);
}
