// actions.js: owns what the user can do besides sending messages: sign up, in and out,
// delete the account, edit the profile; create, join, leave and delete rooms, invite and
// remove members; add and remove friends; save and unsave messages. Each calls the API
// (waiting for the outcome inline) and updates the store; errors are thrown as ApiError
// with a message the views show as they are.

import * as api from './api.js';
import { state, setMe, upsertRoom, removeRoom, markSaved, friendChanged, emit } from './store.js';
import { refreshRooms, loadSaved, loadFriends } from './sync.js';

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

export async function invite(roomId, username) {
  await api.addMember(roomId, username.trim());
  emit('members', roomId);
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

export const roomDetail = (roomId) => api.room(roomId);
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
