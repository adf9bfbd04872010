// tabs.js: owns sharing one event stream among this browser's tabs of one user: the
// election of the leader tab (a Web Lock `parley-stream-<user id>`, held for the tab's
// life or until it leaves) and the BroadcastChannel of the same name over which the
// leader relays what its stream brings. What the messages mean is stream.js's business.

/** Whether this browser can share a stream between tabs (else every tab has its own). */
export const canShare = () =>
  typeof navigator !== 'undefined' && Boolean(navigator.locks?.request) && typeof BroadcastChannel === 'function';

/**
 * Joins the tabs of `userId`: `hear(message)` gets every message another tab posts.
 * Returns {elect(lead), post(message), leave()}: `elect` queues for the lock and calls
 * `lead()` once this tab holds it (the lock is held until `leave()` or the tab closes).
 */
export function joinTabs(userId, hear) {
  const name = `parley-stream-${userId}`;
  const abort = new AbortController();
  let release = null;
  let left = false;
  let electing = false;
  const channel = new BroadcastChannel(name);
  channel.onmessage = (e) => {
    if (!left) hear(e.data);
  };

  return {
    elect(lead) {
      if (left || electing) return;
      electing = true;
      navigator.locks
        .request(name, { signal: abort.signal }, () => {
          if (left) return undefined;
          return new Promise((resolve) => {
            release = resolve;
            lead();
          });
        })
        .catch((e) => {
          if (e?.name !== 'AbortError') console.warn('parley: the stream lock failed', e);
        });
    },
    post(message) {
      if (left) return;
      try {
        channel.postMessage(message);
      } catch (e) {
        console.warn('parley: could not tell the other tabs', e);
      }
    },
    leave() {
      if (left) return;
      left = true;
      abort.abort();
      release?.();
      channel.close();
    },
  };
}
