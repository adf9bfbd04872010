// connections.test.mjs: browser tests of how Parley's web client stays connected (#15):
// eight tabs of one login share one event stream (the leader tab relays it; another takes
// over when it closes, missing nothing and showing nothing twice), going offline and
// online again, a reload that starts from GET /api/sync, a stream that falls silent (the
// keep-alive watchdog) or whose gateway drains (`reconnect`, to the other gateway behind
// a load balancer), a stream refused with 503 (backoff), and browsers without Web Locks
// (a stream per tab). Its own stack (lib/system.mjs) with keep-alives every 4 s; Bob uses
// gateway B and sends every message, Alice reads on gateway A, and through a load
// balancer (lib/balancer.mjs) in front of both. The steps run in order.
//
// Run: tests/browser/run.sh (see its header), or with --test-name-pattern.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { System } from './lib/system.mjs';
import { Balancer } from './lib/balancer.mjs';
import {
  launch,
  person,
  newPage,
  eventually,
  signUp,
  signIn,
  waitForApp,
  connection,
  chatTitle,
  bodies,
  api,
  writeConsoleLogs,
} from './lib/browser.mjs';

const ALICE = { username: 'alice', password: 'correct horse 1', displayName: 'Alice' };
const BOB = { username: 'bob', password: 'bob-password-2', displayName: 'Bob 밥' };
const ROOM = 'Tabs 탭 🗂️';
const TABS = 8;
const KEEPALIVE_SECS = 4;

const STEP = { timeout: 150000 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let sys;
let lb;
let browser;
let alice; // {context, page}: the browser of the eight tabs, on gateway A
let bob; // {context, page} on gateway B
let roomId;
const tabs = []; // Alice's open tabs in `alice.context`
const pages = []; // every page, for the console logs and the script-error check
const sent = []; // every message body Bob sent to the room, in order
const streams = []; // every request to /api/events: {page, url, time, ended}

/** Records the /api/events requests of a browser context (EventSource's included). */
function trackStreams(context) {
  const byRequest = new Map();
  context.on('request', (req) => {
    if (!new URL(req.url()).pathname.startsWith('/api/events')) return;
    let page = null;
    try {
      page = req.frame().page();
    } catch {
      /* not from a page */
    }
    const entry = { page, url: req.url(), time: Date.now(), ended: false };
    byRequest.set(req, entry);
    streams.push(entry);
  });
  const end = (req) => {
    const entry = byRequest.get(req);
    if (entry) entry.ended = true;
  };
  context.on('requestfinished', end);
  context.on('requestfailed', end);
}

const streamsOf = (page) => streams.filter((s) => s.page === page);
const openStreamsIn = (list) => streams.filter((s) => !s.ended && list.includes(s.page) && !s.page.isClosed());
const cursorOf = (url) => new URL(url).searchParams.get('cursor');

/** Bob sends each text to the room, one after the other, and waits until each is stored. */
async function bobSends(...texts) {
  for (const text of texts) {
    const res = await api(bob.page, 'POST', `/api/rooms/${roomId}/messages`, { body: text, client_id: `c-${sent.length}-${Date.now()}` });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    sent.push(text);
  }
}

/** The room's messages on `page` are exactly `expected`: each once, in order. */
async function showsExactly(page, expected = sent, timeout = 30000) {
  await eventually(async () => assert.deepEqual(await bodies(page), expected), { timeout });
}

/** Every tab shows exactly what was sent, and still does a moment later (nothing late twice). */
async function allShowExactly(list, expected = sent) {
  for (const page of list) await showsExactly(page, expected);
  await sleep(800);
  for (const page of list) assert.deepEqual(await bodies(page), expected, `tab ${pages.indexOf(page) + 1}`);
}

/** `parley_streams_open` of a gateway (its /metrics answers loopback callers). */
async function openStreamsMetric(gateway) {
  const text = await (await fetch(`${sys.url(gateway)}/metrics`)).text();
  const m = /^parley_streams_open (\d+)/m.exec(text);
  assert.ok(m, 'parley_streams_open in /metrics');
  return Number(m[1]);
}

async function openTab(context, base) {
  const page = await newPage(context);
  pages.push(page);
  await page.goto(`${base}/#/room/${roomId}`);
  await waitForApp(page);
  await chatTitle(page, ROOM);
  return page;
}

const logged = (page, text, from = 0) => page.logs.slice(from).some((l) => l.includes(text));

describe('Parley in the browser: connections', { concurrency: 1 }, () => {
  before(async () => {
    sys = new System({ env: { PARLEY_KEEPALIVE_SECS: String(KEEPALIVE_SECS) } });
    process.on('exit', () => sys?.killAll());
    await sys.start();
    lb = new Balancer([sys.url('a'), sys.url('b')]);
    await lb.start();
    browser = await launch();
    alice = await person(browser);
    bob = await person(browser);
    trackStreams(alice.context);
    pages.push(alice.page, bob.page);

    await bob.page.goto(sys.url('b'));
    await signUp(bob.page, BOB);
    await waitForApp(bob.page);
    await alice.page.goto(sys.url('a'));
    await signUp(alice.page, ALICE);
    await waitForApp(alice.page);
    // Alice has Bob on her list, so his room takes her in without an invitation.
    const friend = await api(alice.page, 'POST', '/api/friends', { username: BOB.username });
    assert.equal(friend.status, 201, JSON.stringify(friend.body));
    const room = await api(bob.page, 'POST', '/api/rooms', { name: ROOM, visibility: 'private', members: [ALICE.username] });
    assert.equal(room.status, 201, JSON.stringify(room.body));
    roomId = room.body.id;
    await alice.page.goto(`${sys.url('a')}/#/room/${roomId}`);
    await chatTitle(alice.page, ROOM);
    tabs.push(alice.page);
  }, { timeout: 180000 });

  after(async () => {
    if (sys) writeConsoleLogs(sys.logDir, pages);
    await browser?.close().catch(() => {});
    await lb?.stop().catch(() => {});
    await sys?.stop();
    if (sys) console.log(`logs of the worker and gateways: ${sys.logDir}`);
  }, { timeout: 60000 });

  it(`keeps ${TABS} tabs of one login live over one stream; when its tab closes another takes over`, STEP, async () => {
    const first = alice.page;
    assert.equal(streamsOf(first).length, 1, 'the first tab opened the stream');
    assert.ok(cursorOf(streamsOf(first)[0].url), `the stream starts at the cursor of /api/sync: ${streamsOf(first)[0].url}`);
    for (let i = 1; i < TABS; i += 1) tabs.push(await openTab(alice.context, sys.url('a')));
    for (const page of tabs.slice(1)) {
      assert.equal(streamsOf(page).length, 0, `tab ${pages.indexOf(page) + 1} opened no stream of its own`);
      assert.equal(await page.locator('#sidebar .conn').getAttribute('data-state'), 'live', "it shows the leader's state");
    }
    assert.equal(openStreamsIn(tabs).length, 1, 'one stream open in the browser');
    await eventually(async () => assert.equal(await openStreamsMetric('a'), 1, 'gateway A holds one stream'));

    await bobSends('Hello, all eight tabs 👋');
    await allShowExactly(tabs);

    // The leader closes while Bob goes on writing: the others miss nothing.
    const leader = first;
    const before = streams.length;
    const closing = leader.close();
    await bobSends('While the leader closes 1', 'While the leader closes 2 ✈️', 'While the leader closes 3');
    await closing;
    tabs.splice(tabs.indexOf(leader), 1);
    await bobSends('After the leader closed 1', 'After the leader closed 2 끝');
    await allShowExactly(tabs);
    for (const page of tabs) await connection(page, 'live');

    const taken = streams.slice(before).filter((s) => s.page !== leader);
    const takers = new Set(taken.map((s) => s.page));
    assert.equal(takers.size, 1, `one tab took the stream over (${taken.map((s) => s.url).join(', ')})`);
    assert.ok(cursorOf(taken[0].url), `it resumed from the last event id: ${taken[0].url}`);
    assert.equal(openStreamsIn(tabs).length, 1, 'still one stream open in the browser');
    // The gateway notices the closed tab's stream within a few keep-alives.
    await eventually(async () => assert.equal(await openStreamsMetric('a'), 1), { timeout: 45000, interval: 1000 });
  });

  it('goes offline and online again, and shows what was sent meanwhile once', STEP, async () => {
    // Fewer tabs from here on.
    while (tabs.length > 3) {
      const page = tabs.pop();
      await page.close();
    }
    await allShowExactly(tabs);
    const seenBefore = [...sent];
    await alice.context.setOffline(true);
    for (const page of tabs) await connection(page, 'offline', 10000);
    await bobSends('Sent while Alice was offline 1', 'Sent while Alice was offline 2 📴');
    await sleep(1500);
    for (const page of tabs) assert.deepEqual(await bodies(page), seenBefore, 'nothing arrives while offline');
    const before = streams.length;
    await alice.context.setOffline(false);
    for (const page of tabs) await connection(page, 'live');
    await allShowExactly(tabs);
    const again = streams.slice(before);
    assert.equal(new Set(again.map((s) => s.page)).size, 1, 'one tab opened the stream again');
    assert.ok(cursorOf(again[0].url), `from the last event id: ${again[0].url}`);
  });

  it('starts a reloaded tab from GET /api/sync, with no message twice', STEP, async () => {
    // Reload the tab that holds the stream: another one takes over, the reloaded one follows.
    const leader = openStreamsIn(tabs)[0]?.page;
    assert.ok(leader, 'a tab holds the stream');
    const requests = [];
    const note = (req) => requests.push(new URL(req.url()));
    leader.on('request', note);
    const reloaded = leader.reload();
    await bobSends('Sent during the reload 🔄');
    await reloaded;
    await waitForApp(leader);
    await chatTitle(leader, ROOM);
    await bobSends('Sent after the reload');
    await allShowExactly(tabs);
    leader.off('request', note);

    const syncs = requests.filter((u) => u.pathname === '/api/sync');
    assert.equal(syncs.length, 1, `one GET /api/sync (${requests.map((u) => u.pathname).join(' ')})`);
    assert.equal(syncs[0].searchParams.get('rooms'), '20');
    assert.equal(syncs[0].searchParams.get('messages'), '50');
    const lists = requests.filter((u) => ['/api/rooms', '/api/friends', '/api/invitations'].includes(u.pathname));
    assert.deepEqual(lists.map((u) => u.pathname), [], 'the lists came with /api/sync');
    const pages50 = requests.filter((u) => u.pathname.endsWith('/messages') && !u.searchParams.has('after') && !u.searchParams.has('before'));
    assert.deepEqual(pages50.map((u) => u.href), [], "the room's latest messages came with /api/sync");
    assert.equal(openStreamsIn(tabs).length, 1, 'still one stream open in the browser');
  });

  it('reconnects a stream that fell silent, and one whose gateway drains, through a load balancer', STEP, async () => {
    // Alice's other browser, through the balancer (gateway A first, B when A refuses).
    const other = await person(browser);
    trackStreams(other.context);
    const page = other.page;
    pages.push(page);
    await page.goto(lb.url);
    await signIn(page, ALICE);
    await waitForApp(page);
    await page.goto(`${lb.url}/#/room/${roomId}`);
    await chatTitle(page, ROOM);
    await showsExactly(page);
    assert.equal(lb.openStreams().length, 1);
    assert.equal(lb.openStreams()[0].upstream, 0, 'on gateway A');

    // The connection dies silently: nothing more comes, not even keep-alives.
    let from = page.logs.length;
    let before = streamsOf(page).length;
    lb.freezeStreams();
    const frozenAt = Date.now();
    const quiet = sent.length;
    await bobSends('Sent into a dead connection 1', 'Sent into a dead connection 2 🧊');
    await sleep(1500);
    assert.deepEqual(await bodies(page), sent.slice(0, quiet), 'nothing passes the dead connection');
    await showsExactly(page, sent, 4 * KEEPALIVE_SECS * 1000);
    const waited = Date.now() - frozenAt;
    assert.ok(logged(page, 'nothing on the event stream', from), `the keep-alive watchdog fired:\n${page.logs.slice(from).join('\n')}`);
    assert.ok(waited >= (KEEPALIVE_SECS - 1) * 1000, `not before keep-alives were missed (${waited} ms)`);
    const revived = streamsOf(page).slice(before);
    assert.ok(revived.length >= 1 && cursorOf(revived[0].url), `a new stream from the last event id: ${revived.map((s) => s.url)}`);
    await connection(page, 'live');

    // Gateway A drains for a restart: `reconnect`, and the balancer sends it to gateway B.
    from = page.logs.length;
    before = streamsOf(page).length;
    await sys.stopGateway('a');
    await bobSends('Sent while gateway A is down');
    await showsExactly(page);
    await connection(page, 'live');
    assert.ok(logged(page, 'the server asked to reconnect', from), `a reconnect event came:\n${page.logs.slice(from).join('\n')}`);
    assert.ok(logged(page, 'event stream ready (resumed: true)', from), 'the stream resumed on the other gateway');
    const moved = streamsOf(page).slice(before);
    assert.ok(moved.length >= 1 && cursorOf(moved[0].url), `reopened from the last event id: ${moved.map((s) => s.url)}`);
    await eventually(async () => {
      const open = lb.openStreams();
      assert.equal(open.length, 1);
      assert.equal(open[0].upstream, 1, 'now on gateway B');
    });
    // Alice's first browser (straight to gateway A) is back once A is: nothing missed.
    for (const tab of tabs) await connection(tab, 'reconnecting', 15000);
    await sys.startGateway('a');
    for (const tab of tabs) await connection(tab, 'live', 45000);
    await allShowExactly(tabs);
    await other.context.close();
  });

  it('backs off, jittered and growing, while the stream is refused with 503', STEP, async () => {
    const page = tabs.find((t) => openStreamsIn([t]).length === 1);
    assert.ok(page, 'a tab holds the stream');
    const attempts = [];
    let refuse = 3;
    await page.route('**/api/events*', (route) => {
      attempts.push(Date.now());
      if (refuse <= 0) return route.continue();
      refuse -= 1;
      return route.fulfill({
        status: 503,
        headers: { 'Retry-After': '1', 'Content-Type': 'application/json' },
        body: JSON.stringify({ error: { code: 'unavailable', message: 'too many streams on this gateway' } }),
      });
    });
    // Going online again reopens the stream at once: refused three times, then through.
    await alice.context.setOffline(true);
    for (const tab of tabs) await connection(tab, 'offline', 10000);
    await alice.context.setOffline(false);
    await connection(page, 'reconnecting', 5000);
    for (const tab of tabs) assert.notEqual(await tab.locator('#sidebar .conn').getAttribute('data-state'), 'live');
    await eventually(async () => assert.ok(attempts.length >= 4, `${attempts.length} attempts`), { timeout: 30000 });
    await connection(page, 'live');
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    const gaps = attempts.slice(1, 4).map((t, i) => t - attempts[i]);
    assert.ok(gaps[0] >= 1000, `the first retry waits at least a second (${gaps})`);
    assert.ok(gaps[1] > gaps[0] && gaps[2] > gaps[1], `the waits grow (${gaps})`);
    assert.ok(gaps[2] <= 12000, `and stay short at first (${gaps})`);
    await bobSends('After the refusals');
    await allShowExactly(tabs);
  });

  it('gives each tab its own stream where the browser has no Web Locks', STEP, async () => {
    const plain = await person(browser);
    await plain.context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'locks', { configurable: true, get: () => undefined });
    });
    trackStreams(plain.context);
    const first = plain.page;
    pages.push(first);
    await first.goto(sys.url('b'));
    await signIn(first, ALICE);
    await waitForApp(first);
    assert.equal(await first.evaluate(() => navigator.locks === undefined), true);
    await first.goto(`${sys.url('b')}/#/room/${roomId}`);
    await chatTitle(first, ROOM);
    const second = await openTab(plain.context, sys.url('b'));
    for (const page of [first, second]) assert.ok(streamsOf(page).length >= 1, `tab ${pages.indexOf(page) + 1} has its own stream`);
    assert.equal(openStreamsIn([first, second]).length, 2);
    await bobSends('To two tabs with a stream each');
    await allShowExactly([first, second]);
    await plain.context.close();
  });

  it('ran without a script error on any page', async () => {
    for (const page of pages) assert.deepEqual(page.errors, [], `script errors on a page:\n${page.errors.join('\n')}`);
  });
});
