// actions.js: owns what the user can do besides sending messages: sign up, in and out,
// delete the account, edit the profile; create, join, leave and delete rooms, invite and
// remove members; accept and decline invitations; mute rooms; add and remove friends;
// block and unblock people; save and unsave messages; edit, delete and react to messages;
// my settings (read receipts, online status). Each calls the API
// (waiting for the outcome inline) and updates the store; errors are thrown as ApiError
// with a message the views show as they are.

import * as api from './api.js';
import {
  state,
  setMe,
  upsertRoom,
  removeRoom,
  markSaved,
  friendChanged,
  emit,
  findMessage,
  replaceMessage,
  applyReaction,
  applyRoomSettings,
} from './store.js';
import { refreshRooms, loadSaved, loadFriends } from './sync.js';
import { notePresence } from './presence.js';
import { blockChanged, invitationChanged } from './safety.js';

// ---- account ----------------------------------------------------------------------------

export async function signIn(username, password) {
  const { user } = await api.login(username.trim(), password);
  setMe(user);
  return user;
}

export async function signUp(username, password, displayName) {
  await api.register(username.trim(), password, displayName?.trim() || undefined);
  return signIn(username, password);
}

export async function signOut() {
  await api.logout();
}

export async function deleteAccount() {
  await api.deleteMe();
}

export async function updateProfile(fields) {
  const res = await api.updateMe(fields);
  if (res.status === 200 && res.data) setMe(res.data);
  return res;
}

// ---- rooms ------------------------------------------------------------------------------

/** Creates a room (I become owner and member); returns it, or null if still on its way. */
export async function createRoom(name, visibility, members) {
  const res = await api.createRoom(name.trim(), visibility, members);
  if (res.status === 201 && res.data?.id) return upsertRoom(res.data);
  return null; // 202: the `room` event will bring it
}

export async function joinRoom(room) {
  await api.addMember(room.id, state.me.username);
  upsertRoom({ ...room, member_count: (room.member_count ?? 0) + 1 });
  refreshRooms().catch(() => {});
}

/** Adds someone, or invites them (they do not have me as a friend): 'added' | 'invited'. */
export async function invite(roomId, username) {
  const res = await api.addMember(roomId, username.trim());
  emit('members', roomId);
  return res.data?.inviter ? 'invited' : 'added';
}

export async function removeMember(roomId, username) {
  await api.removeMember(roomId, username);
  emit('members', roomId);
}

export async function leaveRoom(roomId) {
  await api.removeMember(roomId, state.me.username);
  removeRoom(roomId);
}

export async function deleteRoom(roomId) {
  await api.deleteRoom(roomId);
  removeRoom(roomId);
}

/** The room with its members (their presence is noted). */
export async function roomDetail(roomId) {
  const detail = await api.room(roomId);
  notePresence(detail?.members);
  return detail;
}

/** Someone's public profile (with their presence, noted). */
export async function userProfile(username) {
  const user = await api.userProfile(username);
  notePresence([user]);
  return user;
}

// ---- invitations ------------------------------------------------------------------------

/** Accepts an invitation: I join its room; returns the room (in the room list now). */
export async function acceptInvitation(invitation) {
  const room = await api.acceptInvitation(invitation.id).catch(forgetGone(invitation));
  invitationChanged('accepted', invitation);
  if (room?.id) {
    upsertRoom(room);
    refreshRooms().catch(() => {});
    return state.rooms.get(room.id);
  }
  await refreshRooms();
  return state.rooms.get(invitation.room.id) || null;
}

export async function declineInvitation(invitation) {
  await api.declineInvitation(invitation.id).catch(forgetGone(invitation));
  invitationChanged('declined', invitation);
}

/** An invitation answered elsewhere (or its room deleted) is gone: drop it, then throw. */
const forgetGone = (invitation) => (e) => {
  if (e.code === 'not_found') invitationChanged('declined', invitation);
  throw e;
};

// ---- blocks -----------------------------------------------------------------------------

/** Blocks someone (they also leave my friends: the `friend` event follows). */
export async function blockUser(user) {
  const blocked = await api.block(user.username);
  blockChanged(blocked?.id ? blocked : user, true);
}

export async function unblockUser(user) {
  await api.unblock(user.username);
  blockChanged(user, false);
}
export const publicRooms = () => api.publicRooms();

// ---- friends ----------------------------------------------------------------------------

export async function addFriend(username) {
  await api.addFriend(username.trim());
  try {
    friendChanged('added', await api.userProfile(username.trim()));
  } catch {
    await loadFriends();
  }
}

export async function removeFriend(user) {
  await api.removeFriend(user.username);
  friendChanged('removed', user);
}

export { loadFriends, loadSaved };

// ---- saved messages ---------------------------------------------------------------------

export async function toggleSaved(message) {
  const saved = state.savedIds.has(message.id);
  if (saved) await api.unsave(message.id);
  else await api.save(message.id);
  markSaved(message, !saved);
  return !saved;
}

// ---- editing, deleting and reacting -----------------------------------------------------

export async function editMessage(m, body) {
  const res = await api.editMessage(m.room_id, m.id, body);
  if (res.data?.id) replaceMessage(res.data);
}

export async function deleteMessage(m) {
  const res = await api.deleteMessage(m.room_id, m.id);
  if (res.data?.id) replaceMessage(res.data);
}

/**
 * Adds my reaction `emoji`, or takes it back if I had it. Shown at once; the `reaction`
 * event then brings the real count, and a refusal undoes it.
 */
export async function toggleReaction(roomId, messageId, emoji) {
  const m = findMessage(roomId, messageId);
  if (!m || m.deleted) return;
  const held = (m.reactions || []).find((r) => r.emoji === emoji);
  const on = !held?.me;
  const count = (held?.count || 0) + (on ? 1 : -1);
  const change = { room_id: roomId, message_id: messageId, emoji, user_id: state.me.id };
  applyReaction({ ...change, on, count });
  try {
    await (on ? api.react(roomId, messageId, emoji) : api.unreact(roomId, messageId, emoji));
  } catch (e) {
    const now = findMessage(roomId, messageId)?.reactions?.find((r) => r.emoji === emoji);
    applyReaction({ ...change, on: !on, count: (now?.count || 0) + (on ? -1 : 1) });
    throw e;
  }
}

// ---- room and personal settings ---------------------------------------------------------

export async function setMuted(roomId, muted) {
  const data = await api.roomSettings(roomId, { muted });
  applyRoomSettings(data?.room_id ? data : { room_id: roomId, muted });
}

export const mySettings = () => api.mySettings();
export const updateMySettings = (fields) => api.updateMySettings(fields);
