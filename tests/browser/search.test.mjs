// search.test.mjs: browser tests of message search (#16) in Parley's web client: the
// search box above the room list (typing searches after a pause, Enter at once, Escape
// clears), results grouped by room with every match in a <mark> (offsets in code points:
// emoji before a match), "No results", the server's message for a query it refuses, and
// opening a result: its room at that message, loaded from further back than the first
// page of history, scrolled into view and highlighted, with live messages and paging
// still working; for a message far back, a window of history that pages towards the
// newest and a "Jump to latest". Its own stack (lib/system.mjs, with a send rate that lets
// the test write hundreds of messages quickly); 아린 (Arin) writes on gateway A, 보라
// (Bora) searches on gateway B. The steps run in order and build on each other.
// Screenshot: target/screenshots/search.png.
//
// Run: tests/browser/run.sh (see its header), or with --test-name-pattern.

import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { System } from './lib/system.mjs';
import {
  launch,
  person,
  eventually,
  signUp,
  waitForApp,
  roomItem,
  openRoom,
  chatTitle,
  send,
  message,
  waitForMessage,
  bodies,
  screenshot,
  api,
  writeConsoleLogs,
  unlabelled,
} from './lib/browser.mjs';

const ARIN = { username: 'arin', password: '비밀번호는길어요', displayName: '아린 Arin' };
const BORA = { username: 'bora', password: 'bora-password-1', displayName: '보라 Bora' };

const PLANNING = 'Planning 기획 🗓️';
const SIDE = 'Side 잡담 ☕';
const ARCHIVE = 'Archive 보관 📦';

const ROOM_BOOKED = '내일 오전 회의실 예약';
const SPRINT = 'Sprint 회의 at 3pm';
const LUNCH = '점심 뭐 먹을까';
const MINUTES = '📎🍕 회의록 공유했어요'; // two emoji (four UTF-16 units) before the match
const ROADMAP = '로드맵 초안 v1 📐';

const CLIENT_PAGE = 50; // the messages the client loads first per room (static/js/sync.js PAGE)
const FILL_MAX = 400; // further back than this the client opens a window (sync.js FILL_MAX)

// Planning: three messages, the booked room third, then enough that it is not among the
// latest CLIENT_PAGE; the sprint message in the middle; lunch last (through the composer).
const fillers = (n, from = 1) => Array.from({ length: n }, (_, i) => `Update ${from + i} 진행 상황 공유`);
const PLANNING_API = [
  'Kickoff 시작합니다 👋',
  '안건 정리해서 올릴게요',
  ROOM_BOOKED,
  ...fillers(35),
  SPRINT,
  ...fillers(25, 36),
];
const PLANNING_ALL = [...PLANNING_API, LUNCH];
const ARCHIVE_FILLERS = FILL_MAX + CLIENT_PAGE + 30;

const STEP = { timeout: 120000 };

let sys;
let browser;
let arin; // {context, page} on gateway A
let bora; // on gateway B
const pages = [];
const roomIds = {};

/** Sends `texts` in order to a room through the API of `page` (waits for each; retries 429). */
function sendAll(page, roomId, texts, { parallel = 1 } = {}) {
  return page.evaluate(
    async ([id, list, lanes]) => {
      const tag = Math.random().toString(36).slice(2);
      let next = 0;
      const one = async (i) => {
        for (;;) {
          const res = await fetch(`/api/rooms/${id}/messages`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Prefer: 'wait=10' },
            body: JSON.stringify({ body: list[i], client_id: `search-${tag}-${i}` }),
          });
          if (res.status === 201) return;
          if (res.status !== 429) throw new Error(`message ${i}: HTTP ${res.status} ${await res.text()}`);
          await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('Retry-After') || 1)));
        }
      };
      const lane = async () => {
        while (next < list.length) await one(next++);
      };
      await Promise.all(Array.from({ length: lanes }, lane));
    },
    [roomId, texts, parallel],
  );
}

const searchBox = (page) => page.getByRole('searchbox', { name: 'Search messages' });
const results = (page) => page.locator('#search-results');
const group = (page, roomName) =>
  page.locator('#search-results .search-group').filter({ has: page.locator('.search-group-title').getByText(roomName, { exact: true }) });
const hit = (page, text) => page.locator('#search-results .search-hit').filter({ has: page.locator('.search-hit-snippet', { hasText: text }) });

/** Waits until the results shown answer `query` (not on their way any more). */
async function resultsFor(page, query) {
  await eventually(async () => {
    assert.equal(await results(page).getAttribute('data-query'), query);
    assert.notEqual(await results(page).getAttribute('data-state'), 'loading');
  });
}

/** Searches `query` with Enter (again while the index catches up) until `check` passes. */
async function searchUntil(page, query, check) {
  await searchBox(page).fill(query);
  await eventually(
    async () => {
      await searchBox(page).press('Enter');
      await resultsFor(page, query);
      await check();
    },
    { timeout: 20000, interval: 300 },
  );
}

/** The snippets' markup of a group, in order (text and <mark> only, built as nodes). */
const snippetsHtml = (scope) => scope.locator('.search-hit-snippet').evaluateAll((els) => els.map((el) => el.innerHTML));

/** Whether a message's <li> lies entirely inside the visible part of the message list. */
function inView(page, messageId) {
  return page.evaluate((id) => {
    const li = document.querySelector(`#message-list li.msg[data-message-id="${id}"]`);
    if (!li) return false;
    const r = li.getBoundingClientRect();
    const s = document.querySelector('#messages').getBoundingClientRect();
    return r.height > 0 && r.top >= s.top - 1 && r.bottom <= s.bottom + 1;
  }, messageId);
}

const msgCount = (page) => page.locator('#message-list li.msg').count();

/** The seqs of the messages shown, in order; asserts they follow one another (no gap). */
async function contiguousSeqs(page) {
  const seqs = (await page.locator('#message-list li.msg').evaluateAll((els) => els.map((el) => Number(el.dataset.seq)))).filter(Boolean);
  seqs.forEach((s, i) => i && assert.equal(s, seqs[i - 1] + 1, `seq ${s} follows ${seqs[i - 1]}: ${JSON.stringify(seqs)}`));
  return seqs;
}

describe('Parley in the browser: search', { concurrency: 1 }, () => {
  before(async () => {
    // Hundreds of messages in a few seconds: a send rate above the default 10 per second.
    sys = new System({ env: { PARLEY_SEND_RATE: '500', PARLEY_SEND_BURST: '500' } });
    process.on('exit', () => sys?.killAll());
    await sys.start();
    browser = await launch();
    arin = await person(browser);
    bora = await person(browser);
    pages.push(arin.page, bora.page);
  }, { timeout: 180000 });

  after(async () => {
    if (sys) writeConsoleLogs(sys.logDir, pages);
    await browser?.close().catch(() => {});
    await sys?.stop();
    if (sys) console.log(`logs of the worker, gateways and indexer: ${sys.logDir}`);
  }, { timeout: 60000 });

  // A step that failed may leave a panel, a dialog or search results open: start each step
  // without them.
  beforeEach(async () => {
    for (const page of [arin?.page, bora?.page].filter(Boolean)) {
      if (page.isClosed()) continue;
      const open = await page
        .evaluate(() => document.querySelector('#confirm')?.open || !document.querySelector('#panel')?.hidden)
        .catch(() => false);
      if (open) await page.keyboard.press('Escape').catch(() => {});
      if (await results(page).isVisible().catch(() => false)) {
        await searchBox(page).press('Escape').catch(() => {});
      }
    }
  });

  it('signs up two people on two gateways who share two rooms', STEP, async () => {
    await arin.page.goto(sys.url('a'));
    await signUp(arin.page, ARIN);
    await waitForApp(arin.page);
    await bora.page.goto(sys.url('b'));
    await signUp(bora.page, BORA);
    await waitForApp(bora.page);
    // Bora has Arin on her list, so Arin's rooms take her in without an invitation.
    const friend = await api(bora.page, 'POST', '/api/friends', { username: ARIN.username });
    assert.equal(friend.status, 201, JSON.stringify(friend.body));
    for (const name of [PLANNING, SIDE]) {
      const res = await api(arin.page, 'POST', '/api/rooms', { name, visibility: 'private', members: [BORA.username] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      roomIds[name] = res.body.id;
    }
    for (const name of [PLANNING, SIDE]) await roomItem(bora.page, name).waitFor();
  });

  it(`writes ${PLANNING_ALL.length} messages; the booked room is beyond the first page Bora loads`, STEP, async () => {
    const a = arin.page;
    await sendAll(a, roomIds[PLANNING], PLANNING_API);
    await openRoom(a, PLANNING);
    await send(a, LUNCH);
    await openRoom(a, SIDE);
    await send(a, MINUTES);

    const b = bora.page;
    await openRoom(b, PLANNING);
    await waitForMessage(b, LUNCH);
    assert.equal(await msgCount(b), CLIENT_PAGE, 'the latest page first');
    assert.equal(await message(b, ROOM_BOOKED).count(), 0, 'the booked room is not loaded');
    await b.getByRole('button', { name: 'Load older messages' }).waitFor();
    await openRoom(b, SIDE);
    await waitForMessage(b, MINUTES);

    // The indexer is a moment behind the worker.
    await eventually(
      async () => {
        const res = await api(b, 'GET', `/api/search?q=${encodeURIComponent('회의')}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.results.length, 3, JSON.stringify(res.body));
      },
      { timeout: 20000, interval: 250 },
    );
  });

  it('searches as one types (after a pause): results grouped by room, every match in a <mark>', STEP, async () => {
    const b = bora.page;
    const asked = [];
    const onRequest = (r) => r.url().includes('/api/search?') && asked.push(new URL(r.url()).searchParams.get('q'));
    b.on('request', onRequest);
    await searchBox(b).click();
    await b.keyboard.type('Sprint 회의', { delay: 40 });
    await resultsFor(b, 'Sprint 회의');
    b.off('request', onRequest);
    assert.ok(asked.length >= 1 && asked.length <= 2, `one search for the typed words, not one per key: ${JSON.stringify(asked)}`);
    assert.equal(asked.at(-1), 'Sprint 회의');
    assert.deepEqual(await snippetsHtml(results(b)), ['<mark>Sprint</mark> <mark>회의</mark> at 3pm']);
    // While results show they take the room list's place.
    assert.equal(await b.locator('#room-list').isVisible(), false, 'the room list is hidden');

    await searchBox(b).fill('');
    await eventually(async () => assert.equal(await results(b).isVisible(), false));
    assert.equal(await b.locator('#room-list').isVisible(), true, 'an empty box brings the room list back');
    await searchBox(b).click();
    await b.keyboard.type('회의', { delay: 40 });
    await resultsFor(b, '회의');

    // Newest first among messages holding the query: the side room's first, then Planning.
    assert.deepEqual(await results(b).locator('.search-group-title').allTextContents(), [SIDE, PLANNING]);
    const planning = group(b, PLANNING);
    assert.equal(await planning.locator('.search-hit').count(), 2, 'two results under the Planning heading');
    assert.deepEqual(await snippetsHtml(planning), ['Sprint <mark>회의</mark> at 3pm', '내일 오전 <mark>회의</mark>실 예약']);
    assert.deepEqual(await planning.locator('mark').allTextContents(), ['회의', '회의']);
    // Highlights count code points: after two emoji the mark still falls on 회의.
    assert.deepEqual(await snippetsHtml(group(b, SIDE)), ['📎🍕 <mark>회의</mark>록 공유했어요']);
    // Each result names its author and has a time.
    const first = planning.locator('.search-hit').first();
    assert.equal(await first.locator('.search-hit-author').textContent(), ARIN.displayName);
    assert.ok(await first.locator('time').getAttribute('datetime'));
    assert.match(await b.locator('#search-status').textContent(), /^3 results for “회의”$/);
    assert.deepEqual(await unlabelled(b), [], 'every control of the results has a label');
  });

  it('finds lunch once; shows the server’s message for a query it refuses, and an empty state', STEP, async () => {
    const b = bora.page;
    await searchUntil(b, '점심', async () => assert.equal(await results(b).locator('.search-hit').count(), 1));
    assert.deepEqual(await results(b).locator('.search-group-title').allTextContents(), [PLANNING]);
    assert.deepEqual(await snippetsHtml(results(b)), ['<mark>점심</mark> 뭐 먹을까']);

    // Nine terms: the server refuses (400 validation_failed, field q) and says why.
    const nine = 'a b c d e f g h i';
    const refused = await api(b, 'GET', `/api/search?q=${encodeURIComponent(nine)}`);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.field, 'q');
    await searchBox(b).fill(nine);
    await searchBox(b).press('Enter');
    await resultsFor(b, nine);
    assert.equal(await results(b).getAttribute('data-state'), 'error');
    const shown = (await b.locator('#search-results .search-error').textContent()).trim().toLowerCase();
    assert.equal(shown, refused.body.error.message.toLowerCase(), 'the server’s own message');
    assert.equal(await results(b).locator('.search-hit').count(), 0);

    await searchBox(b).fill('코끼리 zebra');
    await searchBox(b).press('Enter');
    await resultsFor(b, '코끼리 zebra');
    assert.equal(await results(b).locator('.search-hit').count(), 0);
    await b.locator('#search-results .search-empty').getByText('No results', { exact: true }).waitFor();
  });

  it('opens a result in its room, loaded from further back, in view and highlighted; Escape clears', STEP, async () => {
    const b = bora.page;
    await chatTitle(b, SIDE);
    await searchUntil(b, '회의', async () => assert.equal(await results(b).locator('.search-hit').count(), 3));
    const target = hit(b, ROOM_BOOKED);
    const id = await target.getAttribute('data-message-id');
    assert.ok(id);
    await target.click();
    await chatTitle(b, PLANNING);
    const li = b.locator(`#message-list li.msg[data-message-id="${id}"]`);
    await eventually(async () => assert.match(await li.getAttribute('class'), /\bflash\b/, 'highlighted'));
    await eventually(async () => assert.equal(await inView(b, id), true, 'in view'));
    assert.equal(await li.locator('.msg-body').textContent(), ROOM_BOOKED);
    assert.equal(await target.getAttribute('aria-current'), 'true', 'the result opened is marked');
    assert.equal(await results(b).isVisible(), true, 'the results stay for the next one');
    await screenshot(b, 'search');
    // The highlight is brief.
    await eventually(async () => assert.doesNotMatch(await li.getAttribute('class'), /\bflash\b/), { timeout: 5000 });
    assert.equal(await inView(b, id), true, 'still in view');

    // The history between is loaded whole: every message once, in order, from the first.
    assert.deepEqual(await bodies(b), PLANNING_ALL);
    await b.locator('.history-start').waitFor();

    // Live messages still arrive below.
    await openRoom(arin.page, PLANNING);
    await send(arin.page, 'After the jump 🦘');
    await waitForMessage(b, 'After the jump 🦘');
    assert.deepEqual(await bodies(b), [...PLANNING_ALL, 'After the jump 🦘']);

    // Escape in the search box clears it and brings the room list back.
    await searchBox(b).focus();
    await b.keyboard.press('Escape');
    await eventually(async () => assert.equal(await results(b).isVisible(), false));
    assert.equal(await searchBox(b).inputValue(), '');
    await roomItem(b, PLANNING).waitFor();
    assert.equal(await roomItem(b, PLANNING).getAttribute('class').then((c) => /\bactive\b/.test(c)), true);
  });

  it('opens a message far back in a window that pages to the newest, by keyboard; live again after', STEP, async () => {
    const a = arin.page;
    const b = bora.page;
    const res = await api(a, 'POST', '/api/rooms', { name: ARCHIVE, visibility: 'private', members: [BORA.username] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const roomId = res.body.id;
    await sendAll(a, roomId, [ROADMAP]);
    await sendAll(a, roomId, Array.from({ length: ARCHIVE_FILLERS }, (_, i) => `Archive ${i + 1}`), { parallel: 4 });
    await roomItem(b, ARCHIVE).waitFor();
    await openRoom(b, ARCHIVE);
    await eventually(async () => assert.equal(await msgCount(b), CLIENT_PAGE));
    await openRoom(b, PLANNING);

    // Keyboard only: type, Enter, arrow down to the result, Enter opens it.
    await searchBox(b).focus();
    await b.keyboard.type('로드맵');
    await eventually(
      async () => {
        await b.keyboard.press('Enter');
        await resultsFor(b, '로드맵');
        assert.equal(await results(b).locator('.search-hit').count(), 1);
      },
      { timeout: 20000, interval: 300 },
    );
    await b.keyboard.press('ArrowDown');
    const id = await b.evaluate(() => document.activeElement?.dataset.messageId);
    assert.ok(id, 'the result has the focus');
    await b.keyboard.press('Enter');
    await chatTitle(b, ARCHIVE);
    await eventually(async () => assert.equal(await inView(b, id), true, 'in view'));
    await eventually(async () => assert.match(await b.locator(`li.msg[data-message-id="${id}"]`).getAttribute('class'), /\bflash\b/));

    // A window around it, not the hundreds of messages since.
    const windowSize = await msgCount(b);
    assert.ok(windowSize > 1 && windowSize <= 60, `a window of history: ${windowSize} messages`);
    assert.equal((await bodies(b))[0], ROADMAP);
    assert.equal((await contiguousSeqs(b))[0], 1);
    await b.locator('.history-start').waitFor();
    const jump = b.locator('.jump-btn');
    await jump.getByText('Jump to latest').waitFor();

    // A live message does not land in the window (it is not next to it)...
    await openRoom(a, ARCHIVE);
    await send(a, 'Live while you read 📡');
    await waitForMessage(a, 'Live while you read 📡');
    await b.waitForTimeout(1000);
    assert.equal(await message(b, 'Live while you read 📡').count(), 0);

    // ...newer pages come in order below, from the button (a click that does not scroll)
    // or by scrolling down to the end of the window...
    await b.getByRole('button', { name: 'Load newer messages' }).dispatchEvent('click');
    await eventually(async () => assert.equal(await msgCount(b), windowSize + CLIENT_PAGE));
    assert.ok(await inView(b, id), 'the reader stays where they were');
    await b.locator('#messages').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await eventually(async () => assert.equal(await msgCount(b), windowSize + 2 * CLIENT_PAGE));
    const paged = await contiguousSeqs(b);
    assert.deepEqual([paged[0], paged.at(-1)], [1, windowSize + 2 * CLIENT_PAGE], 'in order, none twice, none missing');
    assert.equal(await message(b, 'Live while you read 📡').count(), 0, 'the newest is still further down');
    await jump.getByText('Jump to latest').waitFor();

    // ...and "Jump to latest" shows the newest, live again: the message sent meanwhile and
    // the next one, with older pages above.
    await jump.click();
    await waitForMessage(b, 'Live while you read 📡');
    await eventually(async () => assert.equal(await jump.isVisible(), false));
    assert.equal(await message(b, ROADMAP).count(), 0);
    await send(a, 'Back to live 🎯');
    await waitForMessage(b, 'Back to live 🎯');
    const latest = await bodies(b);
    assert.deepEqual(latest.slice(-2), ['Live while you read 📡', 'Back to live 🎯']);
    await b.locator('#messages').evaluate((el) => el.scrollTo(0, 0));
    await eventually(async () => assert.ok((await msgCount(b)) > latest.length, 'older pages above'));
    const seqs = await contiguousSeqs(b);
    assert.equal(seqs.at(-1), ARCHIVE_FILLERS + 3, 'up to the newest');

    await searchBox(b).focus();
    await b.keyboard.press('Escape');
    await eventually(async () => assert.equal(await results(b).isVisible(), false));
  });

  it('pages through many results with “More results”', STEP, async () => {
    const b = bora.page;
    await searchUntil(b, 'Archive', async () => assert.equal(await results(b).locator('.search-hit').count(), 20));
    assert.deepEqual(await results(b).locator('.search-group-title').allTextContents(), [ARCHIVE]);
    assert.match(await b.locator('#search-status').textContent(), /^20\+ results for “Archive”$/);
    const more = results(b).getByRole('button', { name: 'More results' });
    await more.click();
    await eventually(async () => assert.equal(await results(b).locator('.search-hit').count(), 40));
    assert.deepEqual(await results(b).locator('.search-group-title').allTextContents(), [ARCHIVE], 'still one group');
    const ids = await results(b).locator('.search-hit').evaluateAll((els) => els.map((el) => el.dataset.messageId));
    assert.equal(new Set(ids).size, 40, 'no result twice');
    assert.equal(await b.evaluate(() => document.activeElement?.dataset.messageId), ids[20], 'the focus goes to the first new result');
    // Newest first, across the two pages.
    const times = await results(b).locator('.search-hit time').evaluateAll((els) => els.map((el) => Date.parse(el.dateTime)));
    times.forEach((t, i) => i && assert.ok(t <= times[i - 1], `newest first: ${JSON.stringify(times)}`));
    await more.waitFor();
    await searchBox(b).focus();
    await b.keyboard.press('Escape');
    await eventually(async () => assert.equal(await results(b).isVisible(), false));
  });

  it('ran without a script error on any page', async () => {
    for (const page of pages) assert.deepEqual(page.errors, [], page.url());
  });
});
