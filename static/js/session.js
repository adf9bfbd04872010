// session.js: owns the signed-in lifecycle: entering the app after sign-in (show it,
// start the live transport, follow the route) and leaving it on logout, account deletion
// or a session that ended elsewhere (stop everything, forget all state, show sign-in).

import { $ } from './dom.js';
import { state, setMe, clearSession } from './store.js';
import { startTransport, stopTransport } from './stream.js';
import { resetOutbox } from './outbox.js';
import { resetReadState, loadSaved } from './sync.js';
import { resetPeople } from './people.js';
import { showAuth, hideAuth } from './views/auth.js';
import { closePanel } from './views/panel.js';
import { applyRoute } from './router.js';

export function enterApp(user) {
  setMe(user);
  hideAuth();
  $('#boot').hidden = true;
  $('#app').hidden = false;
  startTransport({ signedOut: () => leaveApp('Your session has ended. Please sign in again.') });
  applyRoute();
  // Which messages carry a filled bookmark; quietly skipped if the server lacks it.
  loadSaved().catch(() => {});
}

export function leaveApp(notice, kind = 'info') {
  if (!state.me && $('#app').hidden) return;
  stopTransport();
  closePanel({ restoreFocus: false });
  resetOutbox();
  resetReadState();
  resetPeople();
  clearSession();
  if (location.hash) history.replaceState(null, '', location.pathname);
  showAuth(notice, kind);
}
