// lib/browser.mjs: Debian's Chromium through playwright-core (no browser download), and
// the steps a person takes in Parley's web client, as helpers the tests share: signing
// up and in, opening panels and rooms, sending and finding messages, screenshots.

import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { TARGET } from './system.mjs';

export const CHROMIUM = process.env.PARLEY_CHROMIUM || '/usr/bin/chromium';

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * A browser context (one person's browser: its own cookies) with a first page.
 * `userAgent` makes it say it is another browser (another device in the activity list).
 */
export async function person(browser, { viewport = DESKTOP, phone = false, userAgent } = {}) {
  const context = await browser.newContext({
    viewport,
    locale: 'en-US',
    deviceScaleFactor: phone ? 2 : 1,
    isMobile: phone,
    hasTouch: phone,
    ...(userAgent ? { userAgent } : {}),
  });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  watch(page);
  return { context, page };
}

/** Collects page errors and dialogs (an alert() would mean injected script ran). */
export function watch(page) {
  page.errors = [];
  page.dialogs = [];
  page.logs = [];
  page.on('console', (m) => page.logs.push(`${new Date().toISOString()} ${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => {
    page.errors.push(e.message);
    page.logs.push(`${new Date().toISOString()} pageerror: ${e.message}`);
  });
  page.on('dialog', (d) => {
    page.dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  return page;
}

export async function newPage(context) {
  const page = await context.newPage();
  return watch(page);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Retries `fn` until it stops throwing or `timeout` ms pass (then throws its last error). */
export async function eventually(fn, { timeout = 15000, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw last;
    await sleep(interval);
  }
}

// ---- account ----------------------------------------------------------------------------

export async function signUp(page, { username, password, displayName }) {
  await page.locator('#tab-signup').click();
  await page.locator('#signup-username').fill(username);
  if (displayName) await page.locator('#signup-display').fill(displayName);
  await page.locator('#signup-password').fill(password);
  await page.locator('#form-signup').getByRole('button', { name: 'Create account' }).click();
}

export async function signIn(page, { username, password }) {
  await page.locator('#tab-signin').click();
  await page.locator('#signin-username').fill(username);
  await page.locator('#signin-password').fill(password);
  await page.locator('#signin-password').press('Enter');
}

export async function waitForApp(page) {
  await page.locator('#app').waitFor({ state: 'visible' });
  await connection(page, 'live');
}

/** Waits for the connection indicator to show `state` (live, reconnecting, polling). */
export async function connection(page, state, timeout = 20000) {
  await page.locator(`#sidebar .conn[data-state="${state}"]`).waitFor({ state: 'attached', timeout });
}

export async function openPanel(page, buttonId) {
  await page.locator(`#${buttonId}`).click();
  await page.locator('#panel').waitFor({ state: 'visible' });
}

export async function closePanel(page) {
  await page.keyboard.press('Escape');
  await page.locator('#panel').waitFor({ state: 'hidden' });
}

// ---- rooms ------------------------------------------------------------------------------

export const roomItem = (page, name) =>
  page.locator('#room-list li.room').filter({ has: page.locator('.room-name').getByText(name, { exact: true }) });

export async function createRoom(page, { name, visibility = 'private', members = [] }) {
  await page.locator('#new-room-btn').click();
  await page.getByLabel('Room name').fill(name);
  await page.locator(`#new-room-form input[name="visibility"][value="${visibility}"]`).check();
  if (members.length) await page.getByLabel('Invite people').fill(members.join(', '));
  await page.locator('#new-room-form').getByRole('button', { name: 'Create room' }).click();
  await chatTitle(page, name);
}

export async function openRoom(page, name) {
  await roomItem(page, name).locator('button').click();
  await chatTitle(page, name);
}

export async function chatTitle(page, name) {
  await eventually(async () => assert.equal(await page.locator('#chat-title').textContent(), name));
  await page.locator('.chat-room').waitFor({ state: 'visible' });
}

export async function badge(page, roomName) {
  const b = roomItem(page, roomName).locator('.badge');
  return (await b.isVisible()) ? (await b.textContent()).trim() : '';
}

/** The room's mention badge ("@", "@2"), or '' when it is hidden. */
export async function mentionBadge(page, roomName) {
  const b = roomItem(page, roomName).locator('.mention-badge');
  return (await b.isVisible()) ? (await b.textContent()).trim() : '';
}

// ---- messages ---------------------------------------------------------------------------

export const composer = (page) => page.getByRole('textbox', { name: 'Message', exact: true });

export async function send(page, text) {
  const box = composer(page);
  await box.fill(text);
  await box.press('Enter');
}

/** The message <li> whose body is exactly `text`. */
export const message = (page, text) =>
  page.locator('#message-list li.msg').filter({ has: page.locator('.msg-body').getByText(text, { exact: true }) });

/** The message <li> with this id (it stays the same <li> when deleted or edited). */
export const messageById = (page, id) => page.locator(`#message-list li.msg[data-message-id="${id}"]`);

/** Hovers a message and presses one of its menu's buttons ("Reply", "Edit message", ...). */
export async function menuAction(page, msg, name) {
  await msg.hover();
  const button = msg.locator('.msg-menu').getByRole('button', { name, exact: true });
  await button.click();
}

export async function waitForMessage(page, text, timeout = 15000) {
  await message(page, text).first().waitFor({ state: 'visible', timeout });
}

export const bodies = (page) => page.locator('#message-list li.msg .msg-body').allTextContents();

export async function waitForStatus(page, text, status, timeout = 15000) {
  await eventually(async () => assert.equal(await message(page, text).getAttribute('data-status'), status), { timeout });
}

/** Visible controls with no accessible name (their outerHTML, cut short). */
export function unlabelled(page) {
  return page.evaluate(() => {
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
}

// ---- screenshots ------------------------------------------------------------------------

export const SHOTS = path.join(TARGET, 'screenshots');

export async function screenshot(page, name, { keepHover = false } = {}) {
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  // No hover effects in the picture, and let animations settle.
  if (!keepHover) await page.mouse.move(0, 0);
  // Notices of earlier steps would cover the header.
  await page.evaluate(() => document.querySelectorAll('#toasts .toast').forEach((t) => t.remove()));
  await page.waitForTimeout(400);
  await page.screenshot({ path: file });
  return file;
}

/** Calls the API from inside the page (same origin, the page's session cookie). */
export function api(page, method, url, body, wait = 10) {
  return page.evaluate(
    async ([m, u, b, w]) => {
      const res = await fetch(u, {
        method: m,
        headers: { 'Content-Type': 'application/json', ...(w ? { Prefer: `wait=${w}` } : {}) },
        body: b === null ? undefined : JSON.stringify(b),
        credentials: 'same-origin',
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    [method, url, body ?? null, wait],
  );
}

/** Writes each page's console output to <dir>/page-<n>-console.log (for failures). */
export function writeConsoleLogs(dir, pages) {
  pages.forEach((page, i) => {
    try {
      writeFileSync(path.join(dir, `page-${i + 1}-console.log`), `${page.logs.join('\n')}\n`);
    } catch {
      /* the folder may be gone */
    }
  });
}
