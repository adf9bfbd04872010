// parley.test.mjs: browser tests of Parley's web client (static/) against a real worker,
// two gateways, Kafka and Postgres (lib/system.mjs), driven in Debian's Chromium through
// playwright-core (lib/browser.mjs). Two people in two browser contexts: Alice uses
// gateway A (the one restarted), 김지우 (Jiwoo) uses gateway B. The steps run in order and
// build on each other. Screenshots go to target/screenshots/.
//
// Run: tests/browser/run.sh (see its header).

import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { System } from './lib/system.mjs';
import {
  launch,
  person,
  newPage,
  eventually,
  signUp,
  signIn,
  waitForApp,
  connection,
  openPanel,
  closePanel,
  roomItem,
  createRoom,
  openRoom,
  chatTitle,
  badge,
  send,
  message,
  waitForMessage,
  bodies,
  waitForStatus,
  screenshot,
  api,
  writeConsoleLogs,
  PHONE,
} from './lib/browser.mjs';

const ALICE = { username: 'alice', password: 'correct horse 1', displayName: 'Alice 🌷' };
const JIWOO = { username: '김지우', password: '비밀번호는길어요', displayName: '지우 Jiwoo' };
const CAROL = { username: 'carol', password: 'carol-password', displayName: 'Carol' };

const TEAM = 'Team 팀 🚀';
const SIDE = 'Side 사이드';
const HISTORY = 'History 📜';
const LOBBY = 'Lobby 로비';
const OPS = 'Ops 운영';
const XSS = '<img src=x onerror=alert(1)>';

const STEP = { timeout: 90000 };

let sys;
let browser;
let alice; // {context, page} on gateway A
let jiwoo; // {context, page} on gateway B
let alice2; // Alice's second tab
const pages = [];

/** Settings → Connection → live updates, unless already chosen (a failed step may leave polling on). */
async function useLiveUpdates(page) {
  const transport = await page.evaluate(() => JSON.parse(localStorage.getItem('parley.settings') || '{}').transport);
  if (transport === 'polling') {
    await openPanel(page, 'settings-btn');
    await page.getByLabel(/Live updates/).check();
    await closePanel(page);
  }
  await connection(page, 'live');
}

describe('Parley in the browser', { concurrency: 1 }, () => {
  before(async () => {
    sys = new System();
    process.on('exit', () => sys?.killAll());
    await sys.start();
    browser = await launch();
    alice = await person(browser);
    jiwoo = await person(browser);
    pages.push(alice.page, jiwoo.page);
  }, { timeout: 180000 });

  after(async () => {
    if (sys) writeConsoleLogs(sys.logDir, pages);
    await browser?.close().catch(() => {});
    await sys?.stop();
    if (sys) console.log(`logs of the worker and gateways: ${sys.logDir}`);
  }, { timeout: 60000 });

  // A step that failed may leave a panel or dialog open: start each step without them.
  beforeEach(async () => {
    for (const page of [alice?.page, jiwoo?.page, alice2].filter(Boolean)) {
      if (page.isClosed()) continue;
      await page.unrouteAll({ behavior: 'ignoreErrors' }).catch(() => {});
      for (let i = 0; i < 2; i += 1) {
        const open = await page
          .evaluate(() => document.querySelector('#confirm')?.open || !document.querySelector('#panel')?.hidden)
          .catch(() => false);
        if (!open) break;
        await page.keyboard.press('Escape').catch(() => {});
      }
    }
  });

  // ---- accounts -------------------------------------------------------------------------

  it('registers a user and opens the app with a live connection', STEP, async () => {
    const { page } = alice;
    await page.goto(sys.url('a'));
    await page.locator('#auth').waitFor({ state: 'visible' });
    await signUp(page, ALICE);
    await waitForApp(page);
    assert.equal(await page.locator('#sidebar .me-name').textContent(), ALICE.displayName);
    assert.equal(await page.locator('#sidebar .conn').getAttribute('data-state'), 'live');
  });

  it("explains a taken nickname, a wrong password and a server it can't reach", STEP, async () => {
    const { page } = jiwoo;
    await page.goto(sys.url('b'));
    await page.locator('#auth').waitFor({ state: 'visible' });

    // Taken, whatever the case.
    await signUp(page, { username: 'ALICE', password: 'another password' });
    await eventually(async () => assert.equal(await page.locator('#signup-error').textContent(), 'That nickname is taken'));

    await signIn(page, { username: 'alice', password: 'not the password' });
    await eventually(async () => assert.equal(await page.locator('#signin-error').textContent(), 'Wrong nickname or password'));

    // The server cannot be reached.
    await page.route('**/api/sessions', (route) => route.abort('connectionrefused'));
    await signIn(page, ALICE);
    await eventually(async () => assert.equal(await page.locator('#signin-error').textContent(), "Can't reach the server"));
    await page.unroute('**/api/sessions');
    assert.ok(await page.locator('#auth').isVisible(), 'still on the sign-in screen');
  });

  it('registers a second user with a Korean nickname in another browser context', STEP, async () => {
    const { page } = jiwoo;
    await signUp(page, JIWOO);
    await waitForApp(page);
    assert.equal(await page.locator('#sidebar .me-name').textContent(), JIWOO.displayName);
    assert.equal(await page.locator('#sidebar .me-status').textContent(), `@${JIWOO.username}`);
  });

  it('logs out and logs back in', STEP, async () => {
    const { page } = alice;
    await openPanel(page, 'settings-btn');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.locator('#auth').waitFor({ state: 'visible' });
    assert.match(await page.locator('#auth-notice').textContent(), /signed out/);
    // The session cookie is gone: a reload stays signed out.
    await page.reload();
    await page.locator('#auth').waitFor({ state: 'visible' });
    await signIn(page, ALICE);
    await waitForApp(page);
    assert.equal(await page.locator('#sidebar .me-name').textContent(), ALICE.displayName);
  });

  // ---- rooms and chat -------------------------------------------------------------------

  it('creates a private room with an invited member, who sees it appear live', STEP, async () => {
    await createRoom(alice.page, { name: TEAM, visibility: 'private', members: [JIWOO.username] });
    await eventually(async () => assert.match(await alice.page.locator('.chat-meta').textContent(), /Private room · 2 members/));
    await roomItem(jiwoo.page, TEAM).waitFor({ state: 'visible' });
  });

  it('chats both ways live; own messages show at once and are confirmed', STEP, async () => {
    await openRoom(alice.page, TEAM);
    await openRoom(jiwoo.page, TEAM);

    const hello = `Hello ${JIWOO.username}! 안녕하세요 👋🎉`;
    await send(alice.page, hello);
    const status = await message(alice.page, hello).getAttribute('data-status');
    assert.ok(['pending', 'sent'].includes(status), `shown at once (status ${status})`);
    assert.match(await message(alice.page, hello).getAttribute('class'), /\bown\b/);
    await waitForStatus(alice.page, hello, 'sent');
    await waitForMessage(jiwoo.page, hello);
    assert.match(await message(jiwoo.page, hello).getAttribute('class'), /\bother\b/);
    assert.equal(await message(jiwoo.page, hello).locator('.msg-author-name').textContent(), ALICE.displayName);

    const reply = 'Hi Alice! 반가워요 😄\nSecond line, 한국어 텍스트';
    await send(jiwoo.page, reply.split('\n')[0]);
    await waitForMessage(alice.page, reply.split('\n')[0]);
    assert.equal(await message(alice.page, reply.split('\n')[0]).locator('.msg-author-name').textContent(), JIWOO.displayName);

    // Shift+Enter breaks the line instead of sending.
    const box = jiwoo.page.getByRole('textbox', { name: 'Message' });
    await box.fill('line one');
    await box.press('Shift+Enter');
    await box.type('line two 둘');
    await box.press('Enter');
    await waitForMessage(alice.page, 'line one\nline two 둘');
  });

  it('shows a message containing markup as text', STEP, async () => {
    await openRoom(alice.page, TEAM);
    await openRoom(jiwoo.page, TEAM);
    await send(jiwoo.page, XSS);
    await waitForMessage(alice.page, XSS);
    for (const page of [alice.page, jiwoo.page]) {
      assert.equal(await message(page, XSS).locator('.msg-body').textContent(), XSS);
      assert.equal(await page.locator('#message-list img, #room-list img').count(), 0, 'no <img> element was made');
      assert.deepEqual(page.dialogs, [], 'no alert() ran');
    }
    // The room list preview shows it as text too.
    await eventually(async () => assert.match(await roomItem(alice.page, TEAM).locator('.room-preview').textContent(), /<img src=x onerror=alert\(1\)>/));
  });

  it('shows a failed send on the message and retries it with the same client_id', STEP, async () => {
    const page = alice.page;
    await openRoom(page, TEAM);
    await openRoom(jiwoo.page, TEAM);
    const text = 'Retry me 🔁';
    const sentIds = [];
    page.on('request', (req) => {
      if (req.method() === 'POST' && /\/api\/rooms\/[^/]+\/messages$/.test(req.url())) {
        const body = JSON.parse(req.postData() || '{}');
        if (body.body === text) sentIds.push(body.client_id);
      }
    });
    const fail = (route) => route.abort('connectionrefused');
    await page.route('**/api/rooms/*/messages', (route) => (route.request().method() === 'POST' ? fail(route) : route.continue()));
    await send(page, text);
    await waitForStatus(page, text, 'failed');
    assert.match(await message(page, text).locator('.msg-failure').textContent(), /Can't reach the server/);
    await page.unroute('**/api/rooms/*/messages');

    await message(page, text).getByRole('button', { name: 'Retry' }).click();
    await waitForStatus(page, text, 'sent');
    assert.ok(sentIds.length >= 2, `sent twice (${sentIds.length})`);
    assert.equal(new Set(sentIds).size, 1, 'the retry reused the client_id');
    assert.equal(await message(page, text).getAttribute('data-client-id'), sentIds[0]);
    await waitForMessage(jiwoo.page, text);
    await jiwoo.page.waitForTimeout(500);
    assert.equal(await message(jiwoo.page, text).count(), 1, 'stored once');
  });

  it('raises an unread badge in another room, live, in every tab', STEP, async () => {
    await openRoom(alice.page, TEAM);
    await createRoom(jiwoo.page, { name: SIDE, visibility: 'private', members: [ALICE.username] });
    await roomItem(alice.page, SIDE).waitFor({ state: 'visible' });
    await chatTitle(alice.page, TEAM); // Alice keeps reading Team

    alice2 = await newPage(alice.context);
    pages.push(alice2);
    await alice2.goto(sys.url('a'));
    await waitForApp(alice2);
    await roomItem(alice2, SIDE).waitFor({ state: 'visible' });

    await send(jiwoo.page, 'side 1');
    await eventually(async () => assert.equal(await badge(alice.page, SIDE), '1'));
    await send(jiwoo.page, 'side 2 🍀');
    for (const page of [alice.page, alice2]) {
      await eventually(async () => assert.equal(await badge(page, SIDE), '2'));
      await eventually(async () => assert.equal(await roomItem(page, SIDE).locator('.room-preview').textContent(), `${JIWOO.displayName}: side 2 🍀`));
    }
    // Activity moves the room to the top of the list.
    assert.equal(await alice.page.locator('#room-list li.room .room-name').first().textContent(), SIDE);
    assert.equal(await badge(alice.page, TEAM), '', 'the room being read has no badge');
    assert.match(await alice.page.title(), /^\(2\) Parley$/);
  });

  it('marks a room read on viewing it; a second tab follows by read events', STEP, async () => {
    await openRoom(alice.page, SIDE);
    await waitForMessage(alice.page, 'side 2 🍀');
    await eventually(async () => assert.equal(await badge(alice.page, SIDE), ''));
    // The other tab hears about the read marker from the server.
    await eventually(async () => assert.equal(await badge(alice2, SIDE), ''), { timeout: 10000 });
    // And the server remembers it.
    await alice2.reload();
    await waitForApp(alice2);
    await roomItem(alice2, SIDE).waitFor({ state: 'visible' });
    assert.equal(await badge(alice2, SIDE), '');
  });

  it('saves a message and lists it in the saved drawer', STEP, async () => {
    const page = alice.page;
    await openRoom(page, TEAM);
    const text = 'Hi Alice! 반가워요 😄';
    const msg = message(page, text);
    await msg.hover();
    await msg.getByRole('button', { name: 'Save message' }).click();
    await eventually(async () => assert.equal(await msg.getByRole('button', { name: 'Remove from saved messages' }).getAttribute('aria-pressed'), 'true'));
    await openPanel(page, 'saved-btn');
    await page.locator('#saved-list .saved-body').getByText(text, { exact: true }).waitFor();
    assert.match(await page.locator('#saved-list .saved-item').first().textContent(), new RegExp(`in ${TEAM}`));
    await closePanel(page);
  });

  it('switches to polling in the settings and still receives and sends', STEP, async () => {
    const page = alice.page;
    await openRoom(page, TEAM);
    await openRoom(jiwoo.page, TEAM);
    await openPanel(page, 'settings-btn');
    await page.getByLabel(/Polling every second/).check();
    await connection(page, 'polling');
    await closePanel(page);
    assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('parley.settings')).transport), 'polling');

    await send(jiwoo.page, 'Polled 📮 메시지');
    await waitForMessage(page, 'Polled 📮 메시지', 10000);
    await send(page, 'Reply while polling');
    await waitForStatus(page, 'Reply while polling', 'sent');
    await waitForMessage(jiwoo.page, 'Reply while polling');
    // Other rooms' badges follow the polled room list.
    await openRoom(jiwoo.page, SIDE);
    await send(jiwoo.page, 'side 3 while polling');
    await eventually(async () => assert.equal(await badge(page, SIDE), '1'), { timeout: 10000 });
    await openRoom(jiwoo.page, TEAM);

    await openPanel(page, 'settings-btn');
    await page.getByLabel(/Live updates/).check();
    await connection(page, 'live');
    await closePanel(page);
  });

  it('shows the messages sent while its gateway restarted, once and in order', STEP, async () => {
    const page = alice.page;
    await useLiveUpdates(page);
    await openRoom(page, TEAM);
    await openRoom(jiwoo.page, TEAM);
    await connection(page, 'live');
    // An event before the restart gives the stream a cursor (Last-Event-ID) to resume from.
    await send(jiwoo.page, 'Before the restart');
    await waitForMessage(page, 'Before the restart');
    const logsBefore = page.logs.length;
    await sys.stopGateway('a');
    await connection(page, 'reconnecting', 15000);

    const missed = ['While you were away 1', 'While you were away 2 ✈️', 'While you were away 3 끝'];
    for (const text of missed) {
      await send(jiwoo.page, text);
      await waitForStatus(jiwoo.page, text, 'sent');
    }
    const offline = 'Sent during the restart 🔌';
    await send(page, offline);
    await message(page, offline).waitFor();

    await sys.startGateway('a');
    await connection(page, 'live', 45000);
    // The browser reconnected with Last-Event-ID and the gateway resumed the stream.
    await eventually(
      async () =>
        assert.ok(
          page.logs.slice(logsBefore).some((l) => l.includes('event stream ready (resumed: true)')),
          `the stream resumed after the restart:\n${page.logs.slice(logsBefore).join('\n')}`,
        ),
      { timeout: 5000 },
    );
    for (const text of missed) await waitForMessage(page, text, 20000);
    await waitForStatus(page, offline, 'sent', 30000);
    await waitForMessage(jiwoo.page, offline);

    const all = await bodies(page);
    const seen = all.filter((b) => missed.includes(b));
    assert.deepEqual(seen, missed, 'each missed message once, in order');
    assert.equal(all.filter((b) => b === offline).length, 1);
    assert.equal(new Set(all).size, all.length, 'no message shown twice');
    await jiwoo.page.waitForTimeout(500);
    assert.equal(await message(jiwoo.page, offline).count(), 1, 'stored once');
  });

  it('scrolls back through older history page by page', STEP, async () => {
    const created = await api(jiwoo.page, 'POST', '/api/rooms', { name: HISTORY, visibility: 'private', members: [ALICE.username] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const roomId = created.body.id;
    const N = 130;
    await jiwoo.page.evaluate(
      async ([id, n]) => {
        for (let i = 1; i <= n; i += 1) {
          for (;;) {
            const res = await fetch(`/api/rooms/${id}/messages`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json', Prefer: 'wait=10' },
              body: JSON.stringify({ body: `History message ${i}`, client_id: `history-${i}` }),
            });
            if (res.status === 201) break;
            if (res.status !== 429) throw new Error(`message ${i}: HTTP ${res.status}`);
            // Rate limited: wait as told, then send the same client_id again.
            await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('Retry-After') || 1)));
          }
        }
      },
      [roomId, N],
    );
    const page = alice.page;
    await eventually(async () => assert.equal(await badge(page, HISTORY), '99+'));
    await openRoom(page, HISTORY);
    await waitForMessage(page, `History message ${N}`);
    assert.equal(await page.locator('#message-list li.msg').count(), 50, 'the latest page first');
    await page.getByRole('button', { name: 'Load older messages' }).waitFor();

    for (const expected of [100, 130]) {
      await page.locator('#messages').evaluate((el) => el.scrollTo(0, 0));
      await eventually(async () => assert.equal(await page.locator('#message-list li.msg').count(), expected));
    }
    await page.locator('.history-start').waitFor();
    const all = await bodies(page);
    assert.deepEqual(all, Array.from({ length: N }, (_, i) => `History message ${i + 1}`));
  });

  it('is usable from the keyboard, with a label on every control', STEP, async () => {
    const page = alice.page;
    // Alt+ArrowDown / Alt+ArrowUp move between rooms.
    await openRoom(page, TEAM);
    const before = await page.locator('#chat-title').textContent();
    await page.keyboard.press('Alt+ArrowDown');
    await eventually(async () => assert.notEqual(await page.locator('#chat-title').textContent(), before));
    await page.keyboard.press('Alt+ArrowUp');
    await chatTitle(page, before);
    const activeId = () => page.evaluate(() => document.activeElement?.id);
    await eventually(async () => assert.equal(await activeId(), 'composer-input'));

    // A room opened from the list by keyboard puts focus in the message box; Enter sends.
    await roomItem(page, SIDE).locator('button').focus();
    await page.keyboard.press('Enter');
    await chatTitle(page, SIDE);
    await eventually(async () => assert.equal(await activeId(), 'composer-input'));
    await page.keyboard.type('Typed with the keyboard ⌨️');
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'Typed with the keyboard ⌨️', 'sent');

    const unlabelled = () =>
      page.evaluate(() => {
        const visible = (el) => el.checkVisibility?.() ?? el.offsetParent !== null;
        const nameOf = (el) => {
          const parts = [el.getAttribute('aria-label')];
          const by = el.getAttribute('aria-labelledby');
          if (by) parts.push(by.split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' '));
          if (el.labels) for (const l of el.labels) parts.push(l.textContent);
          if (el.tagName === 'BUTTON') parts.push(el.textContent);
          return parts.filter(Boolean).join(' ').trim();
        };
        return [...document.querySelectorAll('button, input, textarea, select, [role="tab"]')]
          .filter((el) => visible(el) && el.type !== 'hidden' && !nameOf(el))
          .map((el) => el.outerHTML.slice(0, 120));
      });
    assert.deepEqual(await unlabelled(), [], 'chat view');
    for (const [button, what] of [
      ['new-room-btn', 'new room'],
      ['discover-btn', 'discover'],
      ['saved-btn', 'saved'],
      ['friends-btn', 'friends'],
      ['settings-btn', 'settings'],
    ]) {
      await openPanel(page, button);
      assert.deepEqual(await unlabelled(), [], what);
      await closePanel(page);
      assert.equal(await page.evaluate(() => document.activeElement?.id), button, `focus returns to the ${what} button`);
    }
    await page.getByRole('button', { name: 'Room details and members' }).click();
    await page.locator('#panel').waitFor();
    assert.deepEqual(await unlabelled(), [], 'room details');
    await closePanel(page);
  });

  it('saves screenshots of the room list and the chat view, desktop and phone', STEP, async () => {
    // Something unread for the pictures.
    await openRoom(alice.page, TEAM);
    await openRoom(jiwoo.page, SIDE);
    await send(jiwoo.page, 'Lunch at 12:30? 점심 먹어요 🍜');
    await eventually(async () => assert.equal(await badge(alice.page, SIDE), '1'));
    await openRoom(jiwoo.page, TEAM);

    await useLiveUpdates(alice.page);
    await alice.page.goto(`${sys.url('a')}/#/`);
    await waitForApp(alice.page);
    await roomItem(alice.page, TEAM).waitFor();
    await screenshot(alice.page, 'desktop-room-list');
    await openRoom(alice.page, TEAM);
    await waitForMessage(alice.page, 'Reply while polling');
    await screenshot(alice.page, 'desktop-chat');

    const phone = await person(browser, { viewport: PHONE, phone: true });
    pages.push(phone.page);
    const p = phone.page;
    await p.goto(sys.url('a'));
    await signIn(p, ALICE);
    await waitForApp(p);
    await roomItem(p, TEAM).waitFor();
    assert.ok(await p.locator('#sidebar').isVisible(), 'the room list fills a phone screen');
    assert.ok(!(await p.locator('#chat').isVisible()), 'the chat is hidden behind it');
    await screenshot(p, 'phone-room-list');
    await openRoom(p, TEAM);
    assert.ok(!(await p.locator('#sidebar').isVisible()), 'the chat fills a phone screen');
    await waitForMessage(p, 'Reply while polling');
    assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling');
    await screenshot(p, 'phone-chat');
    await p.getByRole('button', { name: 'Back to rooms' }).click();
    await p.locator('#sidebar').waitFor({ state: 'visible' });
    await phone.context.close();
    pages.pop();
  });

  // ---- membership, friends, profile, account --------------------------------------------

  it('discovers a public room and joins it', STEP, async () => {
    await createRoom(alice.page, { name: LOBBY, visibility: 'public' });
    const page = jiwoo.page;
    await page.locator('#discover-btn').click();
    const entry = page.locator('#discover-list li').filter({ hasText: LOBBY });
    await entry.waitFor();
    await entry.getByRole('button', { name: `Join ${LOBBY}` }).click();
    await chatTitle(page, LOBBY);
    await roomItem(page, LOBBY).waitFor();
    await send(page, 'Joined 🙌');
    await waitForMessage(alice.page, 'Joined 🙌');
  });

  it('invites a member, removes a member, leaves a room and deletes rooms', STEP, async () => {
    const page = alice.page;
    await createRoom(page, { name: OPS, visibility: 'private' });
    await page.getByRole('button', { name: 'Room details and members' }).click();
    await page.getByLabel('Invite by nickname').fill(JIWOO.username);
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    await page.locator(`#panel .person[data-username="${JIWOO.username}"]`).waitFor();
    await roomItem(jiwoo.page, OPS).waitFor({ state: 'visible' });

    // The owner removes a member: the room goes from their list.
    await page.getByRole('button', { name: `Remove ${JIWOO.displayName} from the room` }).click();
    await page.locator('#confirm').getByRole('button', { name: 'Remove' }).click();
    await page.locator(`#panel .person[data-username="${JIWOO.username}"]`).waitFor({ state: 'detached' });
    await roomItem(jiwoo.page, OPS).waitFor({ state: 'detached' });

    // The owner deletes the room.
    await page.getByRole('button', { name: 'Delete room' }).click();
    await page.locator('#confirm').getByRole('button', { name: 'Delete room' }).click();
    await roomItem(page, OPS).waitFor({ state: 'detached' });

    // A member leaves a room someone else owns.
    await openRoom(page, SIDE);
    await page.getByRole('button', { name: 'Room details and members' }).click();
    await page.getByRole('button', { name: 'Leave room' }).click();
    await page.locator('#confirm').getByRole('button', { name: 'Leave room' }).click();
    await roomItem(page, SIDE).waitFor({ state: 'detached' });
    assert.ok(await roomItem(jiwoo.page, SIDE).isVisible(), 'the room stays for the others');

    // Deleting a room others are in takes it from their lists, live.
    await openRoom(page, LOBBY);
    await page.getByRole('button', { name: 'Room details and members' }).click();
    await page.getByRole('button', { name: 'Delete room' }).click();
    await page.locator('#confirm').getByRole('button', { name: 'Delete room' }).click();
    await roomItem(jiwoo.page, LOBBY).waitFor({ state: 'detached' });
  });

  it('adds, lists and removes friends', STEP, async () => {
    const page = alice.page;
    await openPanel(page, 'friends-btn');
    await page.getByLabel('Add a friend by nickname').fill(JIWOO.username);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const entry = page.locator(`#friend-list .person[data-username="${JIWOO.username}"]`);
    await entry.waitFor();
    assert.match(await entry.textContent(), /지우 Jiwoo/);
    await page.getByRole('button', { name: `Remove ${JIWOO.displayName} from friends` }).click();
    await page.locator('#confirm').getByRole('button', { name: 'Remove friend' }).click();
    await entry.waitFor({ state: 'detached' });
    await closePanel(page);
  });

  it('edits the display name and status message', STEP, async () => {
    const page = alice.page;
    await openPanel(page, 'settings-btn');
    await page.locator('#panel').getByLabel('Display name').fill('Alice ✨ 앨리스');
    await page.locator('#panel').getByLabel('Status message').fill('커피 한 잔 ☕');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await eventually(async () => assert.equal(await page.locator('#sidebar .me-name').textContent(), 'Alice ✨ 앨리스'));
    assert.equal(await page.locator('#sidebar .me-status').textContent(), '커피 한 잔 ☕');
    await closePanel(page);
    // The other tab follows by its `profile` event.
    await eventually(async () => assert.equal(await alice2.locator('#sidebar .me-name').textContent(), 'Alice ✨ 앨리스'));
  });

  it('deletes an account after a confirmation', STEP, async () => {
    const carol = await person(browser);
    pages.push(carol.page);
    const page = carol.page;
    await page.goto(sys.url('b'));
    await signUp(page, CAROL);
    await waitForApp(page);
    await openPanel(page, 'settings-btn');
    await page.getByRole('button', { name: 'Delete account' }).click();
    // Cancelling keeps it.
    await page.locator('#confirm').getByRole('button', { name: 'Cancel' }).click();
    assert.ok(await page.locator('#app').isVisible());
    await page.getByRole('button', { name: 'Delete account' }).click();
    await page.locator('#confirm').getByRole('button', { name: 'Delete my account' }).click();
    await page.locator('#auth').waitFor({ state: 'visible' });
    assert.match(await page.locator('#auth-notice').textContent(), /account was deleted/);
    await signIn(page, CAROL);
    await eventually(async () => assert.equal(await page.locator('#signin-error').textContent(), 'Wrong nickname or password'));
    await carol.context.close();
    pages.pop();
  });

  it('ran without a script error on any page', async () => {
    for (const page of pages) assert.deepEqual(page.errors, [], page.url());
  });
});
