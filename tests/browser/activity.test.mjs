// activity.test.mjs: browser tests of Settings → Activity in Parley's web client: my recent
// sign-ins and security events (GET /api/me/activity). 민지 (Minji) signs up in one browser
// (this device) and signs in from a second one (another context: its own cookies, and a
// User-Agent of Firefox on Windows), then changes her password from the first, which ends
// the second's session. The activity panel, reached from the settings panel by keyboard,
// shows (after Refresh, as the events land a moment after the actions) the account's
// creation, both sign-ins with their device and address (this one marked "This device"),
// the password change and, when the server reports it, the end of the other session: newest
// first, as the API lists them, with relative times and exact ones as tooltips; "Load more"
// hidden on the last page, and paging with it (a smaller page asked of the real server);
// the empty state, the error state, a failed refresh as a notice, and the way back to the
// settings. Its own stack (lib/system.mjs); the steps run in order and build on each other.
// Screenshot: target/screenshots/activity.png.
//
// Run: tests/browser/run.sh (see its header), e.g. tests/browser/run.sh activity.test.mjs

import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { System } from './lib/system.mjs';
import {
  launch,
  person,
  eventually,
  signUp,
  signIn,
  waitForApp,
  openPanel,
  closePanel,
  screenshot,
  api,
  writeConsoleLogs,
  unlabelled,
} from './lib/browser.mjs';

const MINJI = { username: 'minji', password: '민지의-비밀번호-1', displayName: '민지 Minji' };
const NEW_PASSWORD = 'a-new-password-민지-2';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

const STEP = { timeout: 120000 };
const ACTIVITY = '**/api/me/activity*';

let sys;
let browser;
let minji; // {context, page}: this device, on gateway A
let other; // her second device ("Firefox on Windows"), on gateway B
const pages = [];

const list = (page) => page.locator('#activity-list');
const more = (page) => page.locator('#activity-more');

/** What each row of the activity list shows. */
const rows = (page) =>
  page.locator('#activity-list li.activity-item').evaluateAll((els) =>
    els.map((el) => {
      const text = (sel) => el.querySelector(sel)?.textContent ?? null;
      const time = el.querySelector('time.activity-time');
      return {
        kind: el.dataset.kind,
        status: Number(el.dataset.status),
        sessionId: el.dataset.sessionId ?? null,
        label: text('.activity-label'),
        badge: text('.this-device'),
        device: text('.activity-device'),
        deviceTitle: el.querySelector('.activity-device')?.title ?? null,
        ip: text('.activity-ip'),
        datetime: time?.getAttribute('datetime') ?? null,
        title: time?.title ?? null,
        when: time?.textContent ?? null,
      };
    }),
  );

/** Waits until the list is not loading. */
async function settled(page) {
  await eventually(async () => assert.equal(await list(page).getAttribute('aria-busy'), 'false'));
}

/** Presses Refresh and waits for the answer. */
async function refresh(page) {
  await settled(page);
  await page.locator('#activity-refresh').click();
  await settled(page);
}

/** Settings → Activity, unless the activity panel is open already. */
async function openActivity(page) {
  if ((await page.locator('#panel').getAttribute('data-key')) === 'activity') return;
  await openPanel(page, 'settings-btn');
  await page.getByRole('button', { name: 'Account activity' }).click();
  await eventually(async () => assert.equal(await page.locator('#panel-title').textContent(), 'Account activity'));
  await settled(page);
}

/** The API's own list: every page (of 100). */
async function apiActivity(page) {
  const items = [];
  let before = null;
  for (;;) {
    const res = await api(page, 'GET', `/api/me/activity?limit=100${before ? `&before=${encodeURIComponent(before)}` : ''}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    items.push(...res.body.items);
    if (!res.body.next_before) return items;
    before = res.body.next_before;
  }
}

const ok = (r) => r.status < 400;

describe('Parley in the browser: account activity', { concurrency: 1 }, () => {
  before(async () => {
    sys = new System();
    process.on('exit', () => sys?.killAll());
    await sys.start();
    browser = await launch();
    minji = await person(browser);
    other = await person(browser, { userAgent: FIREFOX_WINDOWS });
    pages.push(minji.page, other.page);
  }, { timeout: 180000 });

  after(async () => {
    if (sys) writeConsoleLogs(sys.logDir, pages);
    await browser?.close().catch(() => {});
    await sys?.stop();
    if (sys) console.log(`logs of the worker and gateways: ${sys.logDir}`);
  }, { timeout: 60000 });

  // A step that failed may leave routes, a dialog or a panel behind: start each without them.
  beforeEach(async () => {
    const page = minji?.page;
    if (!page || page.isClosed()) return;
    await page.unroute(ACTIVITY).catch(() => {});
    const open = await page
      .evaluate(() => document.querySelector('#confirm')?.open || !document.querySelector('#panel')?.hidden)
      .catch(() => false);
    if (open) await page.keyboard.press('Escape').catch(() => {});
  });

  it('signs up on one device and signs in on another', STEP, async () => {
    await minji.page.goto(sys.url('a'));
    await signUp(minji.page, MINJI);
    await waitForApp(minji.page);
    await other.page.goto(sys.url('b'));
    await signIn(other.page, MINJI);
    await waitForApp(other.page);
    assert.equal(await other.page.evaluate(() => navigator.userAgent), FIREFOX_WINDOWS);
  });

  it('changes the password on this device, which ends the other device’s session', STEP, async () => {
    // The client has no form for it: the API from the page, with its session cookie.
    const res = await api(minji.page, 'PUT', '/api/me/password', { current_password: MINJI.password, new_password: NEW_PASSWORD });
    assert.equal(res.status, 204, JSON.stringify(res.body));
    await eventually(async () => assert.equal((await api(other.page, 'GET', '/api/me')).status, 401), { timeout: 10000 });
    assert.equal((await api(minji.page, 'GET', '/api/me')).status, 200, 'this session stays');
  });

  it('opens Settings → Activity by keyboard and shows the sign-ins and the password change', STEP, async () => {
    const page = minji.page;
    const myAgent = await page.evaluate(() => navigator.userAgent);
    await openPanel(page, 'settings-btn');
    const row = page.getByRole('button', { name: 'Account activity' });
    assert.match(await row.getAttribute('aria-describedby'), /activity-btn-hint/);
    await row.focus();
    await page.keyboard.press('Enter');
    await eventually(async () => assert.equal(await page.locator('#panel-title').textContent(), 'Account activity'));
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'activity-refresh', 'the focus on Refresh');
    await settled(page);

    // The events land a moment after the actions: Refresh until they are all there, and
    // the list shows what the API lists, in its order.
    let shown;
    let listed;
    await eventually(
      async () => {
        await refresh(page);
        shown = await rows(page);
        listed = await apiActivity(page);
        const signIns = shown.filter((r) => r.kind === 'sign_in' && ok(r));
        assert.equal(signIns.length, 2, `two sign-ins: ${JSON.stringify(shown)}`);
        assert.ok(shown.some((r) => r.label === 'Password changed'), 'the password change');
        assert.ok(shown.some((r) => r.label === 'Account created'), 'the account’s creation');
        assert.deepEqual(
          shown.map((r) => r.kind),
          listed.map((i) => i.kind),
          'every event the API lists, in its order',
        );
      },
      { timeout: 12000, interval: 300 },
    );
    assert.equal(await list(page).getAttribute('data-state'), 'ready');

    // Newest first: the password change, her sign-in on the other device, her sign-in
    // here, the account's creation.
    const at = (label) => shown.findIndex((r) => r.label === label);
    const signIns = shown.filter((r) => r.kind === 'sign_in' && ok(r));
    const [there, here] = signIns;
    assert.ok(at('Password changed') < shown.indexOf(there), 'the password change above the sign-ins');
    assert.ok(shown.indexOf(here) < at('Account created'), 'the account’s creation last');
    assert.equal(at('Account created'), shown.length - 1);
    shown.forEach((r, i) => i && assert.ok(Date.parse(r.datetime) <= Date.parse(shown[i - 1].datetime), 'newest first'));

    // This device: badge, the device from its User-Agent (the raw one as a tooltip), the address.
    assert.equal(here.label, 'Signed in');
    assert.equal(here.badge, 'This device');
    assert.match(here.device, /Chrome on Linux$/);
    assert.equal(here.deviceTitle, myAgent.slice(0, 256));
    assert.equal(there.label, 'Signed in');
    assert.equal(there.badge, null, 'the other device is not this one');
    assert.equal(there.device, 'Firefox on Windows');
    assert.notEqual(here.sessionId, there.sessionId);
    for (const r of signIns) {
      const item = listed.find((i) => i.kind === 'sign_in' && i.session_id === r.sessionId);
      assert.ok(item, `the API's sign-in of session ${r.sessionId}`);
      assert.equal(r.ip, item.ip ?? null, 'the address the API reports');
      assert.equal(item.this_session, r === here);
    }
    assert.equal(shown.filter((r) => r.kind === 'sign_in' && r.badge).length, 1, 'one sign-in is this device');

    // Relative times, with the exact time as a tooltip.
    for (const r of shown) {
      assert.ok(Number.isFinite(Date.parse(r.datetime)), r.datetime);
      assert.match(r.when, /^(just now|\d+ minutes? ago|1 minute ago)$/);
      assert.match(r.title, new RegExp(String(new Date(r.datetime).getFullYear())));
      assert.match(r.title, /\d:\d\d:\d\d/, 'to the second');
    }

    // Changing the password ended the other session: when the server reports that as an
    // event of its own, it reads as one, for the other device.
    const ended = shown.find((r) => (r.kind === 'session_revoked' && r.sessionId === there.sessionId) || r.kind === 'other_sessions_revoked');
    if (ended) {
      assert.equal(ended.label, ended.kind === 'session_revoked' ? 'Session revoked' : 'Signed out everywhere else');
      if (ended.kind === 'session_revoked') assert.equal(ended.device, 'Firefox on Windows');
      assert.ok(shown.indexOf(ended) < shown.indexOf(there));
    }
    console.log(`activity shown: ${shown.map((r) => `${r.label}${r.badge ? ' [this device]' : ''}`).join(' | ')}`);

    // One page holds them all: no "Load more".
    const firstPage = await api(page, 'GET', '/api/me/activity');
    assert.equal(firstPage.body.next_before, null);
    assert.equal(await more(page).isVisible(), false, '“Load more” is hidden on the last page');
    assert.deepEqual(await unlabelled(page), [], 'every control has a label');
    await screenshot(page, 'activity');
  });

  it('pages back with “Load more” by keyboard, none twice and none missing', STEP, async () => {
    const page = minji.page;
    await openActivity(page);
    const all = await rows(page);
    assert.ok(all.length >= 4, JSON.stringify(all));
    // The real server, asked for pages of two.
    const asked = [];
    await page.route(ACTIVITY, (route) => {
      const url = new URL(route.request().url());
      url.searchParams.set('limit', '2');
      asked.push(url.searchParams.get('before'));
      route.continue({ url: url.toString() });
    });
    await refresh(page);
    assert.equal((await rows(page)).length, 2);
    await more(page).waitFor({ state: 'visible' });
    assert.equal(await list(page).locator('li.activity-item').first().locator('.activity-label').textContent(), all[0].label);

    await more(page).focus();
    await page.keyboard.press('Enter');
    await eventually(async () => assert.equal((await rows(page)).length, Math.min(4, all.length)));
    await settled(page);
    const focused = await page.evaluate(() => [...document.querySelectorAll('#activity-list li.activity-item')].indexOf(document.activeElement));
    assert.equal(focused, 2, 'the focus goes to the first new row');
    while (await more(page).isVisible()) {
      const n = (await rows(page)).length;
      await more(page).click();
      await eventually(async () => assert.ok((await rows(page)).length > n || !(await more(page).isVisible())));
      await settled(page);
    }
    // The first page without a cursor, each next one with the one before's next_before.
    assert.equal(asked.length, Math.ceil(all.length / 2), JSON.stringify(asked));
    assert.equal(asked[0], null);
    assert.equal(new Set(asked.slice(1).filter(Boolean)).size, asked.length - 1, `a new cursor each time: ${JSON.stringify(asked)}`);
    const paged = await rows(page);
    const key = (r) => `${r.datetime} ${r.kind} ${r.sessionId}`;
    assert.deepEqual(paged.map(key), all.map(key), 'the same events as one page');
    assert.equal(await more(page).isVisible(), false);
    await page.unroute(ACTIVITY);
  });

  it('shows an empty state, an error state with a retry, and a failed refresh as a notice', STEP, async () => {
    const page = minji.page;
    await openActivity(page);
    const json = (status, body) => ({ status, contentType: 'application/json', body: JSON.stringify(body) });

    await page.route(ACTIVITY, (route) => route.fulfill(json(200, { items: [], next_before: null })));
    await refresh(page);
    assert.equal(await list(page).getAttribute('data-state'), 'empty');
    await list(page).locator('.activity-empty').getByText(/No activity yet/).waitFor();
    assert.equal(await more(page).isVisible(), false);
    await page.unroute(ACTIVITY);

    // Opening fails: the error in the list, and "Try again" loads it.
    await closePanel(page);
    await page.route(ACTIVITY, (route) => route.fulfill(json(500, { error: { code: 'internal', message: 'the activity store is down' } })));
    await openActivity(page);
    assert.equal(await list(page).getAttribute('data-state'), 'error');
    const error = list(page).getByRole('alert');
    assert.match(await error.textContent(), /Could not load your activity: The activity store is down/);
    await page.unroute(ACTIVITY);
    await error.getByRole('button', { name: 'Try again' }).click();
    await settled(page);
    assert.equal(await list(page).getAttribute('data-state'), 'ready');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'activity-refresh', 'the focus waits on Refresh');
    const count = (await rows(page)).length;
    assert.ok(count >= 4);

    // A refresh that fails keeps the list and says so in a notice.
    await page.route(ACTIVITY, (route) => route.fulfill(json(503, { error: { code: 'unavailable', message: 'unavailable' } })));
    await refresh(page);
    await page.locator('#toasts .toast.error').getByText(/Could not load your activity/).waitFor();
    assert.equal((await rows(page)).length, count, 'the list stays');
    await page.unroute(ACTIVITY);
  });

  it('goes back to the settings, and Escape closes with the focus back on the settings button', STEP, async () => {
    const page = minji.page;
    await openActivity(page);
    await page.getByRole('button', { name: 'Back to settings' }).click();
    await eventually(async () => assert.equal(await page.locator('#panel-title').textContent(), 'Profile and settings'));
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'activity-btn', 'the focus on the activity row');
    await page.keyboard.press('Enter');
    await eventually(async () => assert.equal(await page.locator('#panel-title').textContent(), 'Account activity'));
    await settled(page);
    await closePanel(page);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'settings-btn');
  });

  it('ran without a script error on any page', async () => {
    for (const page of pages) assert.deepEqual(page.errors, [], page.url());
  });
});
