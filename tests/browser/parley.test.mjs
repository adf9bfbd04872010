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
  unlabelled as unlabelledControls,
  composer,
  mentionBadge,
  messageById,
  menuAction,
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
const DESIGN = 'Design 디자인 🎨';
const QUESTION = 'Can we ship the new design on Friday? 금요일에 배포할까요?';
const ANSWER = 'Yes, Friday works 좋아요 👍';

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

  it('puts each other on their friend lists, so rooms add them without an invitation', STEP, async () => {
    // Since #14 adding someone who does not have me as a friend invites them instead
    // (people.test.mjs covers invitations); these steps add members directly.
    for (const [page, other] of [[alice.page, JIWOO], [jiwoo.page, ALICE]]) {
      const res = await api(page, 'POST', '/api/friends', { username: other.username });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
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

    const unlabelled = () => unlabelledControls(page);
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

  // ---- message features: replies, reactions, edits, deletes, mentions, mute, seen by ----

  it('replies to a message: a quote bar, the quote on both sides, a jump to the original', STEP, async () => {
    // Alice's second tab came to the front when it opened; a tab behind gets few
    // animation frames, which makes every hover and click wait.
    await alice.page.bringToFront();
    await createRoom(alice.page, { name: DESIGN, visibility: 'private', members: [JIWOO.username] });
    await roomItem(jiwoo.page, DESIGN).waitFor({ state: 'visible' });
    await openRoom(jiwoo.page, DESIGN);
    await send(alice.page, 'New mockups are up 🎨 시안 올렸어요');
    await send(jiwoo.page, 'Looks great! 멋져요 ✨');
    await send(jiwoo.page, QUESTION);
    await waitForMessage(alice.page, QUESTION);

    // Reply, cancel with ×, reply again.
    const bar = alice.page.locator('#reply-bar');
    await menuAction(alice.page, message(alice.page, QUESTION), 'Reply');
    await bar.waitFor({ state: 'visible' });
    assert.match(await bar.textContent(), new RegExp(`Replying to ${JIWOO.displayName}`));
    assert.match(await bar.locator('.reply-bar-excerpt').textContent(), /금요일에 배포할까요/);
    await alice.page.getByRole('button', { name: 'Cancel reply' }).click();
    await bar.waitFor({ state: 'hidden' });
    await menuAction(alice.page, message(alice.page, QUESTION), 'Reply');
    await bar.waitFor({ state: 'visible' });
    await send(alice.page, ANSWER);
    await bar.waitFor({ state: 'hidden' });
    await waitForStatus(alice.page, ANSWER, 'sent');
    for (const page of [alice.page, jiwoo.page]) {
      await waitForMessage(page, ANSWER);
      const quote = message(page, ANSWER).locator('.msg-quote');
      await quote.waitFor();
      assert.equal(await quote.locator('.msg-quote-author').textContent(), JIWOO.displayName);
      assert.equal(await quote.locator('.msg-quote-text').textContent(), QUESTION);
    }
    // The quote scrolls to the original and highlights it for a moment.
    await message(jiwoo.page, ANSWER).locator('.msg-quote').click();
    await eventually(async () => assert.match(await message(jiwoo.page, QUESTION).getAttribute('class'), /\bflash\b/));

    // Escape in the message box drops a reply being written.
    await menuAction(jiwoo.page, message(jiwoo.page, ANSWER), 'Reply');
    const jbar = jiwoo.page.locator('#reply-bar');
    await jbar.waitFor({ state: 'visible' });
    assert.match(await jbar.textContent(), new RegExp(`Replying to ${ALICE.displayName}`));
    await composer(jiwoo.page).fill('그럼 금요일 오후 3시에 할게요');
    await eventually(async () => assert.doesNotMatch(await message(jiwoo.page, QUESTION).getAttribute('class'), /\bflash\b/));
    await screenshot(jiwoo.page, 'reply');
    await composer(jiwoo.page).fill('');
    await composer(jiwoo.page).press('Escape');
    await jbar.waitFor({ state: 'hidden' });
  });

  it('reacts from the emoji picker; chips show for the other member and toggle', STEP, async () => {
    const a = alice.page;
    const j = jiwoo.page;
    await openRoom(a, DESIGN);
    await openRoom(j, DESIGN);
    const chip = (page, text, emoji) => message(page, text).locator(`.reaction[data-emoji="${emoji}"]`);
    // "2 mine" (count, and whether I reacted), or null without a chip; read in one go.
    const chipState = (page, text, emoji) =>
      chip(page, text, emoji).evaluateAll((els) =>
        els.length ? `${els[0].querySelector('.reaction-count').textContent}${els[0].getAttribute('aria-pressed') === 'true' ? ' mine' : ''}` : null,
      );

    // The menu's react button opens the picker.
    const q = message(a, QUESTION);
    await menuAction(a, q, 'Add a reaction');
    const picker = a.locator('.emoji-picker');
    await picker.waitFor({ state: 'visible' });
    assert.equal(await picker.getByRole('button').count(), 8, 'eight common reactions');
    assert.match(await q.getAttribute('class'), /\bmenu-open\b/, 'the menu stays open with its picker');
    await screenshot(a, 'message-menu');
    await picker.getByRole('button', { name: 'React with 🎉' }).click();
    await picker.waitFor({ state: 'detached' });
    await eventually(async () => assert.equal(await chipState(a, QUESTION, '🎉'), '1 mine'));
    await eventually(async () => assert.equal(await chipState(j, QUESTION, '🎉'), '1'));

    // The other member adds theirs by clicking the chip; both see 2.
    await chip(j, QUESTION, '🎉').click();
    await eventually(async () => assert.equal(await chipState(j, QUESTION, '🎉'), '2 mine'));
    await eventually(async () => assert.equal(await chipState(a, QUESTION, '🎉'), '2 mine'));

    // Clicking my chip again takes mine back.
    await chip(a, QUESTION, '🎉').click();
    await eventually(async () => assert.equal(await chipState(a, QUESTION, '🎉'), '1'));
    await eventually(async () => assert.equal(await chipState(j, QUESTION, '🎉'), '1 mine'));

    // The last one taken back removes the chip.
    await menuAction(a, message(a, ANSWER), 'Add a reaction');
    await a.locator('.emoji-picker').getByRole('button', { name: 'React with 😮' }).click();
    await eventually(async () => assert.equal(await chipState(j, ANSWER, '😮'), '1'));
    await chip(a, ANSWER, '😮').click();
    await eventually(async () => assert.equal(await chipState(j, ANSWER, '😮'), null));
    await eventually(async () => assert.equal(await chipState(a, ANSWER, '😮'), null));

    // A few more for the picture; the picker closes with Escape.
    await menuAction(j, message(j, ANSWER), 'Add a reaction');
    await j.locator('.emoji-picker').getByRole('button', { name: 'React with ❤️' }).click();
    await message(j, ANSWER).getByRole('button', { name: 'Add a reaction' }).last().click();
    await j.locator('.emoji-picker').waitFor();
    await j.keyboard.press('Escape');
    await j.locator('.emoji-picker').waitFor({ state: 'detached' });
    await menuAction(j, message(j, ANSWER), 'Add a reaction');
    await j.locator('.emoji-picker').getByRole('button', { name: 'React with 😂' }).click();
    await menuAction(a, message(a, QUESTION), 'Add a reaction');
    await a.locator('.emoji-picker').getByRole('button', { name: 'React with 👍' }).click();
    await eventually(async () => assert.equal(await chipState(a, ANSWER, '❤️'), '1'));
    await eventually(async () => assert.equal(await chipState(a, ANSWER, '😂'), '1'));
    await eventually(async () => assert.equal(await chipState(j, QUESTION, '👍'), '1'));

    // After a reload the chips come from history, with my own marked.
    await a.reload();
    await waitForApp(a);
    await openRoom(a, DESIGN);
    await waitForMessage(a, QUESTION);
    assert.equal(await chipState(a, QUESTION, '🎉'), '1');
    assert.equal(await chipState(a, QUESTION, '👍'), '1 mine');
    await screenshot(a, 'reactions');
  });

  it('edits a message in place; the other member sees the new text and "(edited)"', STEP, async () => {
    const a = alice.page;
    const j = jiwoo.page;
    await openRoom(a, DESIGN);
    await openRoom(j, DESIGN);
    const typo = 'The review is on Thursday 목요일';
    const fixed = 'The review is on Friday 금요일 (fixed)';
    await send(a, typo);
    await waitForStatus(a, typo, 'sent');
    await waitForMessage(j, typo);
    const id = await message(a, typo).getAttribute('data-message-id');

    // Edit from the menu: the bubble becomes a textarea with the text; Enter saves.
    await menuAction(a, message(a, typo), 'Edit message');
    const box = messageById(a, id).getByRole('textbox', { name: 'Edit message' });
    await box.waitFor();
    assert.equal(await box.inputValue(), typo);
    await eventually(async () => assert.ok(await box.evaluate((el) => el === document.activeElement), 'the editor has the focus'));
    await box.fill(fixed);
    await box.press('Enter');
    await eventually(async () => assert.equal(await messageById(a, id).locator('.msg-body').textContent(), fixed));
    assert.equal(await messageById(a, id).locator('.msg-edited').textContent(), '(edited)');
    await eventually(async () => assert.equal(await messageById(j, id).locator('.msg-body').textContent(), fixed));
    assert.equal(await messageById(j, id).locator('.msg-edited').textContent(), '(edited)');

    // Escape cancels: nothing changes, and the focus goes back to the message box.
    await menuAction(a, messageById(a, id), 'Edit message');
    await box.waitFor();
    await box.fill('this should not be saved');
    await box.press('Escape');
    await box.waitFor({ state: 'detached' });
    assert.equal(await messageById(a, id).locator('.msg-body').textContent(), fixed);
    assert.equal(await a.evaluate(() => document.activeElement?.id), 'composer-input');

    // Up arrow in an empty message box edits my last message.
    await composer(a).fill('');
    await composer(a).press('ArrowUp');
    await box.waitFor();
    assert.equal(await box.inputValue(), fixed);
    const again = 'The review is on Friday 금요일, 3 pm';
    await box.fill(again);
    await box.press('Enter');
    await eventually(async () => assert.equal(await messageById(j, id).locator('.msg-body').textContent(), again));
    // Not someone else's message: no edit button on theirs.
    await message(a, QUESTION).hover();
    assert.equal(await message(a, QUESTION).getByRole('button', { name: 'Edit message' }).count(), 0);
  });

  it('deletes a message after a confirmation; the other member sees a placeholder', STEP, async () => {
    const a = alice.page;
    const j = jiwoo.page;
    await openRoom(a, DESIGN);
    await openRoom(j, DESIGN);
    const oops = 'Oops, wrong room 잘못 보냈어요';
    await send(a, oops);
    await waitForStatus(a, oops, 'sent');
    await waitForMessage(j, oops);
    const id = await message(a, oops).getAttribute('data-message-id');

    // Cancelling keeps it.
    await menuAction(a, message(a, oops), 'Delete message');
    await a.locator('#confirm').getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await message(a, oops).count(), 1);
    await menuAction(a, message(a, oops), 'Delete message');
    await a.locator('#confirm').getByRole('button', { name: 'Delete', exact: true }).click();
    for (const page of [a, j]) {
      await eventually(async () => assert.match(await messageById(page, id).getAttribute('class'), /\bdeleted\b/));
      assert.equal((await messageById(page, id).locator('.msg-body').textContent()).trim(), 'Message deleted');
      assert.equal(await messageById(page, id).locator('.msg-menu').count(), 0, 'a tombstone has no menu');
    }

    // Only the owner (Alice) may delete someone else's message.
    const rude = 'Delete me please 🙈';
    await send(j, rude);
    await waitForMessage(a, rude);
    const aliceMsg = message(j, 'New mockups are up 🎨 시안 올렸어요');
    await aliceMsg.hover();
    assert.equal(await aliceMsg.getByRole('button', { name: 'Delete message' }).count(), 0, 'a member cannot delete others’ messages');
    const rudeId = await message(a, rude).getAttribute('data-message-id');
    await menuAction(a, message(a, rude), 'Delete message');
    await a.locator('#confirm').getByRole('button', { name: 'Delete', exact: true }).click();
    await eventually(async () => assert.match(await messageById(j, rudeId).getAttribute('class'), /\bdeleted\b/));
    await screenshot(j, 'edited-deleted');
  });

  it('autocompletes @mentions, highlights mine and badges the room while it is not open', STEP, async () => {
    const a = alice.page;
    const j = jiwoo.page;
    await openRoom(a, DESIGN);
    await openRoom(j, TEAM); // Jiwoo is elsewhere
    const box = composer(a);
    await box.fill('');
    await box.pressSequentially('Hey @김지');
    const option = a.locator('#mention-list [role="option"]');
    await option.first().waitFor();
    assert.equal(await option.first().getAttribute('data-username'), JIWOO.username);
    assert.match(await option.first().textContent(), /지우 Jiwoo/);
    await box.press('Enter'); // picks; does not send
    assert.equal(await box.inputValue(), `Hey @${JIWOO.username} `);
    await a.locator('#mention-list').waitFor({ state: 'hidden' });
    await box.pressSequentially('디자인 리뷰 부탁해요 🙏');
    await box.press('Enter');
    const text = `Hey @${JIWOO.username} 디자인 리뷰 부탁해요 🙏`;
    await waitForStatus(a, text, 'sent');
    assert.equal(await message(a, text).locator('.mention').textContent(), `@${JIWOO.username}`);

    // Jiwoo's room list: a mention badge beside the unread count.
    await eventually(async () => assert.equal(await mentionBadge(j, DESIGN), '@'));
    assert.equal(await badge(j, DESIGN), '1');
    assert.equal(await mentionBadge(j, TEAM), '', 'only where I was mentioned');
    // A mention in another room too (it stays in the list for the picture).
    await openRoom(a, SIDE);
    await send(a, `@${JIWOO.username} 점심 같이 먹어요? 🍱`);
    await eventually(async () => assert.equal(await mentionBadge(j, SIDE), '@'));
    await openRoom(a, DESIGN);

    // Opening the room shows the mention highlighted, and clears the badge.
    await openRoom(j, DESIGN);
    await waitForMessage(j, text);
    const mine = message(j, text).locator('.mention.me');
    assert.equal(await mine.textContent(), `@${JIWOO.username}`);
    assert.match(await message(j, text).getAttribute('class'), /\bmentions-me\b/);
    await eventually(async () => assert.equal(await mentionBadge(j, DESIGN), ''));
    assert.equal(await mentionBadge(j, SIDE), '@');
    await screenshot(j, 'mention');
  });

  it('mutes a room: its unread badge goes, mentions still show', STEP, async () => {
    const a = alice.page;
    const j = jiwoo.page;
    await openRoom(j, DESIGN);
    await j.getByRole('button', { name: 'Room details and members' }).click();
    await j.locator('#panel').waitFor();
    const toggle = j.getByRole('switch', { name: /Mute this room/ });
    assert.equal(await toggle.isChecked(), false);
    await toggle.check();
    await eventually(async () => assert.equal(await roomItem(j, DESIGN).locator('.room-muted').isVisible(), true));
    await closePanel(j);

    await openRoom(j, TEAM);
    await openRoom(a, DESIGN);
    await send(a, 'Muted message 1 조용히');
    await eventually(async () => assert.match(await roomItem(j, DESIGN).locator('.room-preview').textContent(), /Muted message 1/));
    assert.equal(await badge(j, DESIGN), '', 'no unread badge for a muted room');
    assert.equal(await mentionBadge(j, DESIGN), '');
    await send(a, `@${JIWOO.username} this one still reaches you 알림`);
    await eventually(async () => assert.equal(await mentionBadge(j, DESIGN), '@'));
    assert.equal(await badge(j, DESIGN), '');
    await send(a, `@${JIWOO.username} and again 한 번 더`);
    await eventually(async () => assert.equal(await mentionBadge(j, DESIGN), '@2'));

    // The server remembers both the mute and the mentions.
    await j.reload();
    await waitForApp(j);
    await roomItem(j, DESIGN).waitFor();
    assert.equal(await mentionBadge(j, DESIGN), '@2');
    assert.equal(await badge(j, DESIGN), '');
    assert.ok(await roomItem(j, DESIGN).locator('.room-muted').isVisible());

    // Reading clears the mentions; unmuting brings the unread badge back.
    await openRoom(j, DESIGN);
    await eventually(async () => assert.equal(await mentionBadge(j, DESIGN), ''));
    await j.getByRole('button', { name: 'Room details and members' }).click();
    const toggle2 = j.getByRole('switch', { name: /Mute this room/ });
    assert.equal(await toggle2.isChecked(), true);
    await toggle2.uncheck();
    await eventually(async () => assert.equal(await roomItem(j, DESIGN).locator('.room-muted').isVisible(), false));
    await closePanel(j);
    await openRoom(j, TEAM);
    await send(a, 'Unmuted now 다시 알림');
    await eventually(async () => assert.equal(await badge(j, DESIGN), '1'));
  });

  it('shows "Seen by 1" under my latest message once the other member has read it', STEP, async () => {
    const a = alice.page;
    const j = jiwoo.page;
    await openRoom(a, DESIGN);
    await openRoom(j, TEAM);
    const text = 'Did you see the final version? 최종본 봤어요?';
    await send(a, text);
    await waitForStatus(a, text, 'sent');
    const id = await message(a, text).getAttribute('data-message-id');
    const seen = a.locator(`#message-list li.msg[data-message-id="${id}"] + li.seen-by`);
    await a.waitForTimeout(1500);
    assert.equal(await a.locator('#message-list li.seen-by').count(), 0, 'nobody has seen it yet');

    await openRoom(j, DESIGN);
    await waitForMessage(j, text);
    await eventually(async () => assert.equal((await seen.textContent()).trim(), 'Seen by 1'), { timeout: 25000 });
    assert.equal(await seen.getAttribute('title'), JIWOO.displayName);
    assert.equal(await a.locator('#message-list li.seen-by').count(), 1, 'only under my latest message');

    // Jiwoo stops sharing read receipts: she drops out of the list.
    await openPanel(j, 'settings-btn');
    const share = j.getByRole('switch', { name: /Share read receipts/ });
    await eventually(async () => assert.equal(await share.isEnabled(), true));
    assert.equal(await share.isChecked(), true);
    await share.uncheck();
    await eventually(async () => assert.equal(await share.isEnabled(), true));
    await closePanel(j);
    await seen.waitFor({ state: 'detached', timeout: 25000 });
    await openPanel(j, 'settings-btn');
    await eventually(async () => assert.equal(await share.isEnabled(), true));
    assert.equal(await share.isChecked(), false, 'the setting is stored');
    await share.check();
    await eventually(async () => assert.equal(await share.isEnabled(), true));
    await closePanel(j);
    await seen.waitFor({ timeout: 25000 });
  });

  it('works by touch on a phone: a tap shows the menu, and every new control has a label', STEP, async () => {
    const a = alice.page;
    await openRoom(a, DESIGN);
    assert.deepEqual(await unlabelledControls(a), [], 'chat view with menus, chips and quotes');

    const phone = await person(browser, { viewport: PHONE, phone: true });
    pages.push(phone.page);
    const p = phone.page;
    await p.goto(sys.url('b'));
    await signIn(p, JIWOO);
    await waitForApp(p);
    await openRoom(p, DESIGN);
    await waitForMessage(p, QUESTION);
    const msg = message(p, 'New mockups are up 🎨 시안 올렸어요');
    const menu = msg.locator('.msg-menu');
    const shown = () => menu.evaluate((el) => getComputedStyle(el).opacity === '1' && getComputedStyle(el).pointerEvents !== 'none');
    assert.equal(await shown(), false, 'hidden until tapped');
    await msg.locator('.msg-body').tap();
    await eventually(async () => assert.equal(await shown(), true));
    await menu.getByRole('button', { name: 'Add a reaction' }).tap();
    const picker = p.locator('.emoji-picker');
    await picker.waitFor();
    await screenshot(p, 'phone-message-menu', { keepHover: true });
    const box = await picker.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, 'the picker fits the screen');
    await picker.getByRole('button', { name: 'React with 🔥' }).tap();
    await eventually(async () => assert.equal(await message(a, 'New mockups are up 🎨 시안 올렸어요').locator('.reaction[data-emoji="🔥"] .reaction-count').textContent(), '1'));
    // A tap on another message moves the menu there.
    await message(p, QUESTION).locator('.msg-body').tap();
    await eventually(async () => assert.equal(await shown(), false));
    assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling');
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

  it('lists, removes and adds friends', STEP, async () => {
    const page = alice.page;
    await openPanel(page, 'friends-btn');
    const entry = page.locator(`#friend-list .person[data-username="${JIWOO.username}"]`);
    await entry.waitFor(); // added at the start
    assert.match(await entry.textContent(), /지우 Jiwoo/);
    await page.getByRole('button', { name: `Remove ${JIWOO.displayName} from friends` }).click();
    await page.locator('#confirm').getByRole('button', { name: 'Remove friend' }).click();
    await entry.waitFor({ state: 'detached' });
    await page.getByLabel('Add a friend by nickname').fill(JIWOO.username);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await entry.waitFor();
    assert.match(await entry.textContent(), /지우 Jiwoo/);
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
