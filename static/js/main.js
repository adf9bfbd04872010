// main.js: the entry module. Mounts every view once, wires keyboard shortcuts, and
// decides at start whether a session exists (GET /api/me) to show the app or sign-in.

import { $ } from './dom.js';
import * as api from './api.js';
import { mountAuth, showAuth } from './views/auth.js';
import { mountSidebar, stepRoom } from './views/sidebar.js';
import { mountChat } from './views/chat.js';
import { mountPanel } from './views/panel.js';
import { mountNotices } from './views/notices.js';
import { mountConnection } from './views/connection.js';
import { mountRouter } from './router.js';
import { enterApp, leaveApp } from './session.js';
import { mountPresence } from './presence.js';
import { mountPresenceDots } from './views/presence-dot.js';
import { mountInvitations } from './views/invitations.js';

function mount() {
  mountNotices();
  mountConnection();
  mountPresence();
  mountPresenceDots();
  mountInvitations();
  mountPanel();
  mountSidebar();
  mountChat();
  mountRouter();
  mountAuth({ signedIn: enterApp });
  api.setSignedOutHandler(() => leaveApp('Your session has ended. Please sign in again.'));

  document.addEventListener('keydown', (e) => {
    if (e.altKey && !e.ctrlKey && !e.metaKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown') && !$('#app').hidden) {
      e.preventDefault();
      stepRoom(e.key === 'ArrowUp' ? -1 : 1);
    }
  });
}

async function start() {
  mount();
  try {
    const me = await api.me({ auth: false });
    enterApp(me);
  } catch (e) {
    if (e.status === 401) showAuth();
    else showAuth(e.network ? "Can't reach the server. Check your connection and try again." : e.message, 'error');
  }
}

start();
