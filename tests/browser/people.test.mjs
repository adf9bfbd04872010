// people.test.mjs: browser tests of the live signals and safety between people (#14) in
// Parley's web client: the typing line, presence dots (online, away while the page is
// hidden, offline when it closes), sharing the online status, invitations accepted and
// declined, and blocking from a profile card with collapsed messages. Its own stack
// (lib/system.mjs): 지우 (jiwoo) uses gateway A, Alice and Carol gateway B. The steps run
// in order and build on each other. Screenshots go to target/screenshots/.
//
// Run: tests/browser/run.sh (see its header), or with --test-name-pattern.

import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { System } from './lib/system.mjs';
import {
  launch,
  person,
  newPage,
  eventually,
  signUp,
  waitForApp,
  openPanel,
  closePanel,
  roomItem,
  createRoom,
  openRoom,
  chatTitle,
  send,
  composer,
  message,
  waitForMessage,
  screenshot,
  api,
  writeConsoleLogs,
  unlabelled,
} from './lib/browser.mjs';

const JIWOO = { username: 'jiwoo', password: '비밀번호는길어요', displayName: '지우' };
const ALICE = { username: 'alice', password: 'correct horse 1', displayName: 'Alice' };
const CAROL = { username: 'carol', password: 'carol-password', displayName: 'Carol' };

const TRIO = 'Trio 셋 🎈';
const DUO = 'Duo 둘';
const INVITED = 'Book club 독서 모임 📚';
const DECLINED = 'Spam room 스팸';

const STEP = { timeout: 120000 };

let sys;
let browser;
let jiwoo; // {context, page} on gateway A
let alice; // on gateway B
let carol; // on gateway B
const pages = [];

/** The presence dot's state of `username` inside `scope` (a locator), or null. */
async function dotState(scope, userId) {
  const dot = scope.locator(`.presence-dot[data-user-id="${userId}"]`).first();
  return (await dot.count()) ? dot.getAttribute('data-state') : null;
}

/** Makes the page look hidden (or visible again) to the app, as a tab in the background. */
function setVisibility(page, visible) {
  return page.evaluate((shown) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (shown ? 'visible' : 'hidden') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => !shown });
    document.dispatchEvent(new Event('visibilitychange'));
  }, visible);
}

const userId = (page) => page.evaluate(() => fetch('/api/me').then((r) => r.json()).then((u) => u.id));

describe('Parley in the browser: between people', { concurrency: 1 }, () => {
  let jiwooId;
  let carolId;

  before(async () => {
    sys = new System();
    process.on('exit', () => sys?.killAll());
    await sys.start();
    browser = await launch();
    jiwoo = await person(browser);
    alice = await person(browser);
    carol = await person(browser);
    pages.push(jiwoo.page, alice.page, carol.page);
  }, { timeout: 180000 });

  after(async () => {
    if (sys) writeConsoleLogs(sys.logDir, pages);
    await browser?.close().catch(() => {});
    await sys?.stop();
    if (sys) console.log(`logs of the worker and gateways: ${sys.logDir}`);
  }, { timeout: 60000 });

  // A step that failed may leave a panel or dialog open: start each step without them.
  beforeEach(async () => {
    for (const page of [jiwoo?.page, alice?.page, carol?.page].filter(Boolean)) {
      if (page.isClosed()) continue;
      for (let i = 0; i < 2; i += 1) {
        const open = await page
          .evaluate(() => document.querySelector('#confirm')?.open || !document.querySelector('#panel')?.hidden)
          .catch(() => false);
        if (!open) break;
        await page.keyboard.press('Escape').catch(() => {});
      }
    }
  });

  it('signs up three people; Alice and Carol have 지우 as a friend, so she adds them to rooms', STEP, async () => {
    await jiwoo.page.goto(sys.url('a'));
    await signUp(jiwoo.page, JIWOO);
    await waitForApp(jiwoo.page);
    for (const [who, account] of [[alice, ALICE], [carol, CAROL]]) {
      await who.page.goto(sys.url('b'));
      await signUp(who.page, account);
      await waitForApp(who.page);
      const res = await api(who.page, 'POST', '/api/friends', { username: JIWOO.username });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    jiwooId = await userId(jiwoo.page);
    carolId = await userId(carol.page);

    // Both have 지우 on their lists: they are added at once, without an invitation.
    await createRoom(jiwoo.page, { name: TRIO, members: [ALICE.username, CAROL.username] });
    await eventually(async () => assert.match(await jiwoo.page.locator('.chat-meta').textContent(), /3 members/));
    await createRoom(jiwoo.page, { name: DUO, members: [ALICE.username] });
    for (const page of [alice.page, carol.page]) await roomItem(page, TRIO).waitFor();
    await roomItem(alice.page, DUO).waitFor();
  });

  it('shows who is typing on the other gateway, at most one POST every 3 s, and clears it', STEP, async () => {
    const j = jiwoo.page;
    const a = alice.page;
    await openRoom(j, TRIO);
    await openRoom(a, TRIO);
    const line = a.locator('#typing-line');
    assert.equal(await line.isVisible(), false, 'nobody types yet');
    await send(a, 'Who is free tonight? 오늘 저녁 시간 되는 사람?');
    await waitForMessage(j, 'Who is free tonight? 오늘 저녁 시간 되는 사람?');
    const roomId = await roomIdOf(a, TRIO);
    const said = await api(carol.page, 'POST', `/api/rooms/${roomId}/messages`, { body: 'Me! 저요 🙋' });
    assert.equal(said.status, 201, JSON.stringify(said.body));
    await waitForMessage(j, 'Me! 저요 🙋');

    const posts = [];
    j.on('request', (req) => {
      if (req.method() === 'POST' && /\/api\/rooms\/[^/]+\/typing$/.test(req.url())) posts.push(Date.now());
    });
    const text = '오늘 저녁에 만날까요? Dinner tonight?';
    const started = Date.now();
    await composer(j).pressSequentially(text.slice(0, 12), { delay: 60 });
    await eventually(async () => assert.equal((await line.textContent()).trim(), `${JIWOO.displayName} is typing…`));
    // The room list says it too, in place of the last message (Carol has no room open).
    await eventually(async () => assert.equal((await roomItem(carol.page, TRIO).locator('.room-preview').textContent()).trim(), `${JIWOO.displayName} is typing…`));

    // A second person types (through the API from Carol's page): both names.
    const res = await api(carol.page, 'POST', `/api/rooms/${roomId}/typing`, null);
    assert.equal(res.status, 204, JSON.stringify(res.body));
    await eventually(async () => assert.equal((await line.textContent()).trim(), `${JIWOO.displayName} and ${CAROL.displayName} are typing…`));
    await composer(j).pressSequentially(text.slice(12), { delay: 90 });
    const typedFor = Date.now() - started;
    await screenshot(a, 'typing');
    assert.ok(posts.length >= 1, 'told the server');
    assert.ok(posts.length <= Math.floor(typedFor / 3000) + 1, `${posts.length} POSTs in ${typedFor} ms`);
    for (let i = 1; i < posts.length; i += 1) assert.ok(posts[i] - posts[i - 1] >= 2900, 'at least 3 s apart');

    // 지우 sends: her typing goes as her message arrives; Carol's ends when its time passes.
    await composer(j).press('Enter');
    await waitForMessage(a, text);
    await eventually(async () => assert.doesNotMatch((await line.textContent()).trim(), /지우/));
    await line.waitFor({ state: 'hidden', timeout: 12000 });
    await eventually(async () => assert.match(await roomItem(carol.page, TRIO).locator('.room-preview').textContent(), /Dinner tonight/));
  });

  it('shows presence dots: online, away while the page is hidden, offline when it closes', STEP, async () => {
    const a = alice.page;
    // The room list: a room of two shows the other member's dot.
    const duo = roomItem(a, DUO);
    await eventually(async () => assert.equal(await dotState(duo, jiwooId), 'online'));
    // The member list (Carol is online too) and the friend list.
    await openRoom(a, TRIO);
    await a.getByRole('button', { name: 'Room details and members' }).click();
    const members = a.locator('#panel .people');
    await eventually(async () => assert.equal(await dotState(members, jiwooId), 'online'));
    await eventually(async () => assert.equal(await dotState(members, carolId), 'online'));
    assert.equal(await dotState(members, await userId(a)), null, 'no dot for me');

    // 지우's page goes to the background: away.
    await setVisibility(jiwoo.page, false);
    await eventually(async () => assert.equal(await dotState(members, jiwooId), 'away'));
    await eventually(async () => assert.equal(await dotState(duo, jiwooId), 'away'));
    await screenshot(a, 'presence');
    await closePanel(a);
    await setVisibility(jiwoo.page, true);
    await eventually(async () => assert.equal(await dotState(duo, jiwooId), 'online'));

    await openPanel(a, 'friends-btn');
    const friends = a.locator('#friend-list');
    await eventually(async () => assert.equal(await dotState(friends, jiwooId), 'online'));

    // 지우 closes her only page: offline.
    await jiwoo.page.close();
    await eventually(async () => assert.equal(await dotState(friends, jiwooId), 'offline'), { timeout: 45000 });
    await eventually(async () => assert.equal(await dotState(duo, jiwooId), 'offline'));
    assert.equal(await friends.locator(`.presence-dot[data-user-id="${jiwooId}"]`).getAttribute('aria-label'), 'Offline');

    // She comes back: online again, and so after a reload of Alice's page (from GET /api/friends).
    const page = await newPage(jiwoo.context);
    pages.push(page);
    jiwoo.page = page;
    await page.goto(sys.url('a'));
    await waitForApp(page);
    await eventually(async () => assert.equal(await dotState(friends, jiwooId), 'online'), { timeout: 20000 });
    await closePanel(a);
    await a.reload();
    await waitForApp(a);
    await eventually(async () => assert.equal(await dotState(roomItem(a, DUO), jiwooId), 'online'));
  });

  it('hides my online status when I stop sharing it', STEP, async () => {
    const j = jiwoo.page;
    const duo = roomItem(alice.page, DUO);
    await openPanel(j, 'settings-btn');
    const share = j.getByRole('switch', { name: /Share my online status/ });
    await eventually(async () => assert.equal(await share.isEnabled(), true));
    assert.equal(await share.isChecked(), true, 'shared by default');
    assert.deepEqual(await unlabelled(j), [], 'settings');
    await share.uncheck();
    await eventually(async () => assert.equal(await share.isEnabled(), true));
    await eventually(async () => assert.equal(await dotState(duo, jiwooId), 'offline'));
    const profile = await api(alice.page, 'GET', `/api/users/${JIWOO.username}`);
    assert.equal(profile.body.presence, 'offline', 'GET /api/users says offline too');
    await share.check();
    await eventually(async () => assert.equal(await share.isEnabled(), true));
    await eventually(async () => assert.equal(await dotState(duo, jiwooId), 'online'));
    await closePanel(j);
  });

  it('invites someone who does not have me as a friend; they accept and the room opens', STEP, async () => {
    const j = jiwoo.page;
    const a = alice.page;
    const badge = j.locator('#invitations-count');
    assert.equal(await badge.isVisible(), false, 'no invitations yet');
    // 지우 has nobody on her friend list: Alice's room invites her instead of adding her.
    await createRoom(a, { name: INVITED, members: [JIWOO.username] });
    await eventually(async () => assert.equal((await badge.textContent()).trim(), '1'));
    await j.locator('#invitations-banner').waitFor();
    assert.equal(await roomItem(j, INVITED).count(), 0, 'not a member yet');
    assert.match(await a.locator('.chat-meta').textContent(), /1 member/);

    // A second room she will decline (added from the member list: an Invitation answer).
    await createRoom(a, { name: DECLINED });
    const roomId = await roomIdOf(a, DECLINED);
    const res = await api(a, 'POST', `/api/rooms/${roomId}/members`, { username: JIWOO.username });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.inviter?.username, ALICE.username, 'the answer is the invitation');
    assert.equal(res.body.room?.id, roomId);
    await eventually(async () => assert.equal((await badge.textContent()).trim(), '2'));

    await j.locator('#invitations-banner').click();
    const list = j.locator('#invitation-list');
    const item = (name) => list.locator('li.invitation').filter({ hasText: name });
    await item(INVITED).waitFor();
    assert.match(await item(INVITED).textContent(), new RegExp(`${ALICE.displayName} invited you`));
    assert.deepEqual(await unlabelled(j), [], 'invitations panel');
    await screenshot(j, 'invitations');

    await item(DECLINED).getByRole('button', { name: /^Decline/ }).click();
    await item(DECLINED).waitFor({ state: 'detached' });
    await eventually(async () => assert.equal((await badge.textContent()).trim(), '1'));
    await item(INVITED).getByRole('button', { name: /^Accept/ }).click();
    await chatTitle(j, INVITED);
    await roomItem(j, INVITED).waitFor();
    await badge.waitFor({ state: 'hidden' });
    await j.locator('#invitations-banner').waitFor({ state: 'hidden' });
    await openRoom(a, INVITED);
    await eventually(async () => assert.match(await a.locator('.chat-meta').textContent(), /2 members/));
    assert.equal(await roomItem(j, DECLINED).count(), 0, 'a declined room stays away');
    assert.deepEqual((await api(j, 'GET', '/api/invitations')).body.invitations, []);

    await send(j, 'Thanks for the invite! 초대 고마워요');
    await waitForMessage(a, 'Thanks for the invite! 초대 고마워요');
  });

  it('blocks someone from their profile card: their messages collapse, "show" reveals one', STEP, async () => {
    const j = jiwoo.page;
    const a = alice.page;
    await openRoom(a, TRIO);
    await openRoom(j, TRIO);
    // Alice speaks first, so that 지우's next message starts a group with her name on it.
    await send(a, 'Hi 지우! 안녕하세요');
    await waitForMessage(j, 'Hi 지우! 안녕하세요');
    const before = 'Before the block 차단 전';
    await send(j, before);
    await waitForMessage(a, before);

    // Alice opens 지우's card from her name on the message and blocks her.
    await message(a, before).locator('.msg-author-name').click();
    await a.locator('#panel').waitFor();
    assert.equal(await a.locator('#panel .profile-name').textContent(), JIWOO.displayName);
    assert.deepEqual(await unlabelled(a), [], 'profile card');
    await a.locator('#profile-block').click();
    await a.locator('#confirm').getByRole('button', { name: 'Block', exact: true }).click();
    await a.locator('#profile-unblock').waitFor();
    await a.locator('#panel .blocked-note').waitFor();
    await closePanel(a);
    const blocks = await api(a, 'GET', '/api/blocks');
    assert.deepEqual(blocks.body.blocks.map((u) => u.username), [JIWOO.username]);

    // Her messages held already collapse; her next one arrives collapsed.
    const collapsed = a.locator('#message-list li.msg.collapsed');
    await eventually(async () => assert.equal(await message(a, before).count(), 0));
    const held = await collapsed.count();
    assert.ok(held >= 1, 'the message before the block is collapsed');
    const after = 'Are you there? 거기 있어요?';
    await send(j, after);
    await eventually(async () => assert.equal(await collapsed.count(), held + 1));
    const last = a.locator('#message-list li.msg').last();
    assert.match(await last.getAttribute('class'), /\bcollapsed\b/);
    assert.equal((await last.locator('.msg-body').textContent()).trim(), 'Message from a blocked user — show');
    assert.equal(await message(a, after).count(), 0, 'the text is not shown');
    await eventually(async () => assert.equal((await roomItem(a, TRIO).locator('.room-preview').textContent()).trim(), 'Message from a blocked user'));
    await screenshot(a, 'blocked');
    const history = await api(a, 'GET', `/api/rooms/${await roomIdOf(a, TRIO)}/messages?limit=5`);
    assert.equal(history.body.messages.find((m) => m.body === after)?.from_blocked, true, 'from_blocked in history');

    // "show" reveals that one message.
    await last.getByRole('button', { name: /show/i }).click();
    await waitForMessage(a, after);
    assert.equal(await collapsed.count(), held);

    // Blocking took her off Alice's friends.
    await openPanel(a, 'friends-btn');
    await a.locator(`#friend-list .person[data-username="${JIWOO.username}"]`).waitFor({ state: 'detached' });
    await closePanel(a);

    // Unblocked from the member list: her messages show again.
    await a.getByRole('button', { name: 'Room details and members' }).click();
    await a.locator(`#panel .person[data-username="${JIWOO.username}"] .person-open`).click();
    await a.locator('#profile-unblock').click();
    await a.locator('#profile-block').waitFor();
    await closePanel(a);
    await eventually(async () => assert.equal(await collapsed.count(), 0));
    await send(j, 'Back again 다시 왔어요');
    await waitForMessage(a, 'Back again 다시 왔어요');
    await waitForMessage(a, before);
  });

  it('ran without a script error on any page', async () => {
    for (const page of pages) assert.deepEqual(page.errors, [], page.url());
  });
});

/** The id of a room in the page's room list, by name (from the API). */
async function roomIdOf(page, name) {
  const { body } = await api(page, 'GET', '/api/rooms');
  const room = body.rooms.find((r) => r.name === name);
  assert.ok(room, `room ${name}`);
  return room.id;
}
