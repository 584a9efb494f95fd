// What the browser walks share: the server to walk, Chromium's flags, the console
// opened in a fresh window (optionally answered from a folder of console files), waits
// that say what they saw, the sandbox sign-in popup, the dev person switch, and numbered
// steps with a screenshot each. Each walk script imports it; see console.mjs for the
// environment they read.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BASE = (process.env.SOCIALGATE_URL || '').replace(/\/+$/, '');
export const SHOTS = path.resolve(process.env.SCREENSHOTS || path.join(here, '../../target/browser'));
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ASSETS = process.env.CONSOLE_ASSETS ? path.resolve(process.env.CONSOLE_ASSETS) : null;
export const TIMEOUT = 15_000;

// Flags that keep Chromium from reaching for the network on a machine without one.
export const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// The same policy the server sends with the console, so a violation shows up here too.
const POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const TYPES = { '.html': 'text/html', '.css': 'text/css', '.js': 'text/javascript' };

if (!BASE) {
  console.error('Set SOCIALGATE_URL to the base URL of a socialgate server in dev mode.');
  process.exit(2);
}

export const consoleUrl = `${BASE}/console/`;
const pageErrors = [];

/** Answers {BASE}/console/* from CONSOLE_ASSETS. */
async function serveAssets(context) {
  const prefix = new URL(consoleUrl).pathname;
  await context.route(
    (url) => url.href.startsWith(consoleUrl),
    async (route) => {
      const name = new URL(route.request().url()).pathname.slice(prefix.length) || 'index.html';
      const type = TYPES[path.extname(name)];
      if (!type || name.includes('/') || name.includes('..')) {
        await route.fulfill({ status: 404, body: 'no such console file' });
        return;
      }
      try {
        const body = await readFile(path.join(ASSETS, name));
        await route.fulfill({
          status: 200,
          body,
          headers: { 'content-type': `${type}; charset=utf-8`, 'content-security-policy': POLICY, 'cache-control': 'no-cache' },
        });
      } catch {
        await route.fulfill({ status: 404, body: 'no such console file' });
      }
    },
  );
}

/** A new browser window (its own session) with the console open as the advisor. */
export async function openConsole(browser, label) {
  // A routed response has no network address, so Chromium counts the page as public
  // and blocks its socket to a loopback server unless local network access is granted.
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    permissions: ASSETS ? ['local-network-access'] : [],
  });
  if (ASSETS) await serveAssets(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${label}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`${label} console: ${m.text()}`);
  });
  await page.goto(consoleUrl);
  return page;
}

/** Waits until `locator`'s text contains `expected`; the error says what was there. */
export async function expectText(locator, expected, what) {
  const deadline = Date.now() + TIMEOUT;
  let seen = '(nothing)';
  while (Date.now() < deadline) {
    try {
      seen = (await locator.first().innerText({ timeout: 1000 })).replace(/\s+/g, ' ').trim();
      if (expected instanceof RegExp ? expected.test(seen) : seen.includes(expected)) return seen;
    } catch {
      // Not there yet.
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what}: expected ${expected instanceof RegExp ? expected : `"${expected}"`}, saw "${seen}"`);
}

export async function expectVisible(locator, what) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: TIMEOUT });
  } catch {
    throw new Error(`${what}: not visible within ${TIMEOUT / 1000} s`);
  }
}

export async function expectGone(locator, what) {
  try {
    await locator.first().waitFor({ state: 'detached', timeout: TIMEOUT });
  } catch {
    throw new Error(`${what}: still there after ${TIMEOUT / 1000} s`);
  }
}

export const card = (page, name) => page.getByRole('article', { name, exact: true });
export const status = (page, name) => card(page, name).getByTestId('status');

/** Clicks `button` on `page`, signs in as `login` in the popup, waits for it to close. */
export async function signInPopup(page, button, login) {
  const [popup] = await Promise.all([page.waitForEvent('popup', { timeout: TIMEOUT }), button.click()]);
  const closed = popup.waitForEvent('close', { timeout: TIMEOUT });
  await popup.getByRole('link', { name: login }).click({ timeout: TIMEOUT });
  try {
    await closed;
  } catch {
    const text = await popup.locator('body').innerText().catch(() => '');
    throw new Error(`the sign-in popup did not close; it says: ${text.trim().slice(0, 300)}`);
  }
}

/** Switches the dev person through the header. */
export async function switchTo(page, label, name) {
  await page.getByRole('button', { name: label }).click();
  await expectText(page.getByTestId('identity-name'), name, 'signed-in person');
  await expectText(page.getByTestId('live'), 'Live', 'live indicator after switching');
}

let stepNo = 0;
let browser;

/** Launches Chromium for the walk (closed by a failing step). */
export async function launch() {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  return browser;
}

/** How many steps have run. */
export function steps() {
  return stepNo;
}

export async function step(title, shot, pages, run) {
  stepNo += 1;
  const number = String(stepNo).padStart(2, '0');
  const errorsBefore = pageErrors.length;
  try {
    await run();
    if (pageErrors.length > errorsBefore) throw new Error(`the page reported: ${pageErrors.slice(errorsBefore).join(' | ')}`);
  } catch (e) {
    for (const [i, p] of pages().filter(Boolean).entries()) {
      await p.screenshot({ path: path.join(SHOTS, `${number}-${shot}-FAILED${i ? `-${i + 1}` : ''}.png`), fullPage: true }).catch(() => {});
    }
    console.error(`FAIL ${number} ${title}: ${e.message}`);
    await browser.close().catch(() => {});
    process.exit(1);
  }
  for (const [i, p] of pages().filter(Boolean).entries()) {
    await p.screenshot({ path: path.join(SHOTS, `${number}-${shot}${i ? `-${i + 1}` : ''}.png`), fullPage: true });
  }
  console.log(`ok ${number} ${title}`);
}

/** Says plainly when the server is not there or not in dev mode. */
export async function preflight() {
  let health;
  try {
    health = await fetch(`${BASE}/healthz`);
  } catch (e) {
    throw new Error(`nothing answers at ${BASE} (${e.cause ? e.cause.code || e.cause.message : e.message}); start the server first`);
  }
  if (!health.ok) throw new Error(`${BASE}/healthz answered ${health.status}`);
  const token = await fetch(`${BASE}/dev/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ person: 'advisor' }),
  });
  if (!token.ok) {
    throw new Error(`POST ${BASE}/dev/token answered ${token.status}; run the server in dev mode (no JWT key) on a loopback address`);
  }
}

