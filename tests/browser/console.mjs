// Walks the built-in console (/console/) in Chromium the way a person would: an
// advisor connects LinkedIn and Facebook (through the sandbox networks' popups; one
// sign-in at a time), a personal Facebook profile is refused, compliance approves one
// and rejects the other while a second advisor window watches the cards change live
// (keeping its open menu), then the advisor expires and reconnects LinkedIn.
//
//   cd tests/browser && npm ci
//   SOCIALGATE_URL=http://127.0.0.1:18080 node console.mjs
//
// The server must run in dev mode (no JWT key) with its sandbox networks, on a fresh
// database. Environment:
//   SOCIALGATE_URL   base URL of the server (required)
//   SCREENSHOTS      folder for the numbered screenshots (default ../../target/browser)
//   CHROMIUM         Chromium binary (default /usr/bin/chromium)
//   CONSOLE_ASSETS   a folder with the console's files (e.g. ../../assets/console): when
//                    set, {SOCIALGATE_URL}/console/* is answered from that folder instead
//                    of the server, so the console can be edited and walked again
//                    without rebuilding the server.
//
// Exits 0 when every step passed; otherwise prints the failed step and exits 1.

import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const BASE = (process.env.SOCIALGATE_URL || '').replace(/\/+$/, '');
const SHOTS = path.resolve(process.env.SCREENSHOTS || path.join(here, '../../target/browser'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ASSETS = process.env.CONSOLE_ASSETS ? path.resolve(process.env.CONSOLE_ASSETS) : null;
const TIMEOUT = 15_000;

// Flags that keep Chromium from reaching for the network on a machine without one.
const ARGS = [
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

const consoleUrl = `${BASE}/console/`;
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
async function openConsole(browser, label) {
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
async function expectText(locator, expected, what) {
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

async function expectVisible(locator, what) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: TIMEOUT });
  } catch {
    throw new Error(`${what}: not visible within ${TIMEOUT / 1000} s`);
  }
}

async function expectGone(locator, what) {
  try {
    await locator.first().waitFor({ state: 'detached', timeout: TIMEOUT });
  } catch {
    throw new Error(`${what}: still there after ${TIMEOUT / 1000} s`);
  }
}

const card = (page, name) => page.getByRole('article', { name, exact: true });
const status = (page, name) => card(page, name).getByTestId('status');

/** Clicks `button` on `page`, signs in as `login` in the popup, waits for it to close. */
async function signInPopup(page, button, login) {
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
async function switchTo(page, label, name) {
  await page.getByRole('button', { name: label }).click();
  await expectText(page.getByTestId('identity-name'), name, 'signed-in person');
  await expectText(page.getByTestId('live'), 'Live', 'live indicator after switching');
}

let stepNo = 0;
let browser;

async function step(title, shot, pages, run) {
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
async function preflight() {
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

async function main() {
  await preflight();
  await mkdir(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  let page;
  let watcher;

  await step('the console opens as the advisor', 'advisor-empty', () => [page], async () => {
    page = await openConsole(browser, 'advisor');
    await expectText(page.getByTestId('identity-name'), 'Alex Rivera', 'signed-in person');
    await expectText(page.getByTestId('identity-role'), 'Advisor', 'signed-in role');
    await expectText(page.getByTestId('live'), 'Live', 'live indicator');
    await expectText(page.getByTestId('network-LINKEDIN').getByTestId('usage'), '0 of 2 connected', 'LinkedIn slots');
    const x = page.getByRole('button', { name: 'Connect X (Twitter)' });
    if (!(await x.isDisabled())) throw new Error('X (Twitter) should not be connectable');
    await expectVisible(page.getByTestId('network-X').getByTestId('network-reason'), 'why X is unsupported');
    await expectText(page.getByTestId('integrations'), 'Nothing connected yet', 'empty list');
  });

  await step('LinkedIn connects through the popup and waits for approval', 'linkedin-pending', () => [page], async () => {
    // While one sign-in is open every other Connect waits, says why, and can be cancelled.
    const [first] = await Promise.all([
      page.waitForEvent('popup', { timeout: TIMEOUT }),
      page.getByRole('button', { name: 'Connect LinkedIn' }).click(),
    ]);
    await expectText(page.getByTestId('connect-busy'), 'Finish or cancel the open sign-in first', 'hint while a sign-in is open');
    const other = page.getByRole('button', { name: 'Connect Facebook' });
    if (!(await other.isDisabled())) throw new Error('Connect Facebook should wait while the LinkedIn sign-in is open');
    let second = null;
    page.once('popup', (p) => {
      second = p;
    });
    await other.click({ force: true });
    await page.waitForTimeout(500);
    if (second || first.isClosed()) throw new Error('a second Connect opened another sign-in or closed the open one');
    const closed = first.waitForEvent('close', { timeout: TIMEOUT });
    await page.getByRole('button', { name: 'Cancel sign-in' }).click();
    await closed;
    await expectGone(page.getByRole('button', { name: 'Cancel sign-in' }), 'cancel control after cancelling');
    if (await other.isDisabled()) throw new Error('Connect Facebook should be usable again after cancelling');

    await signInPopup(page, page.getByRole('button', { name: 'Connect LinkedIn' }), 'Continue as Avery Chen (member)');
    await expectText(status(page, 'Avery Chen'), 'Pending', 'LinkedIn card status');
    await expectText(page.getByTestId('network-LINKEDIN').getByTestId('usage'), '1 of 2 connected', 'LinkedIn slots');
  });

  await step('a personal Facebook profile is refused, nothing connected', 'facebook-personal-refused', () => [page], async () => {
    await signInPopup(page, page.getByRole('button', { name: 'Connect Facebook' }), /Continue as Pat Personal/);
    const alert = page.locator('[data-testid="notice"][data-code="PERSONAL_PROFILE"]');
    await expectVisible(alert, 'refusal notice with code PERSONAL_PROFILE');
    await expectText(alert, "no Page was ticked in Facebook's Page picker", 'refusal sentence');
    await expectText(page.getByTestId('announce-alert'), "no Page was ticked in Facebook's Page picker", 'refusal said in the alert region');
    if ((await page.locator('[data-network="FACEBOOK"]').count()) !== 0) throw new Error('a Facebook integration appeared');
    await expectText(page.getByTestId('network-FACEBOOK').getByTestId('usage'), '0 of 1 connected', 'Facebook slots');
  });

  await step('Facebook with two Pages: the advisor picks one', 'facebook-choose-page', () => [page], async () => {
    await page.locator('[data-testid="notice"][data-tone="error"] button[aria-label="Dismiss"]').first().click().catch(() => {});
    await signInPopup(page, page.getByRole('button', { name: 'Connect Facebook' }), /Continue as Morgan Lindqvist/);
    const dialog = page.getByRole('dialog', { name: /Choose the Facebook Page/ });
    await expectVisible(dialog, 'Page selection dialog');
    await expectText(dialog, 'Lindqvist Retirement Planning', 'both Pages offered');
    await page.screenshot({ path: path.join(SHOTS, `${String(stepNo).padStart(2, '0')}-facebook-choose-page-dialog.png`) });
    await dialog.getByRole('radio', { name: /Lindqvist Wealth Partners/ }).check();
    await dialog.getByRole('button', { name: 'Connect Page' }).click();
    await expectText(status(page, 'Lindqvist Wealth Partners'), 'Pending', 'Facebook card status');
    await expectText(page.getByTestId('network-FACEBOOK').getByTestId('usage'), '1 of 1 connected', 'Facebook slots');
    if (!(await page.getByRole('button', { name: 'Connect Facebook' }).isDisabled())) {
      throw new Error('Connect Facebook should be disabled once its one slot is used');
    }
  });

  await step('compliance approves LinkedIn and rejects Facebook with a note', 'compliance-review', () => [page, watcher], async () => {
    watcher = await openConsole(browser, 'advisor watcher');
    await expectText(status(watcher, 'Avery Chen'), 'Pending', 'watcher: LinkedIn card');
    await expectText(watcher.getByTestId('live'), 'Live', 'watcher: live indicator');
    await watcher.evaluate(() => {
      window.__marker = 1;
    });
    // A menu left open in the watching window must stay open through live redraws.
    await card(watcher, 'Avery Chen').getByRole('button', { name: 'Simulate' }).click();

    await switchTo(page, 'Compliance: Casey Lin', 'Casey Lin');
    const queue = page.getByTestId('queue');
    await expectVisible(queue.getByRole('article', { name: 'Avery Chen', exact: true }), 'LinkedIn in the approval queue');
    await expectVisible(queue.getByRole('article', { name: 'Lindqvist Wealth Partners', exact: true }), 'Facebook in the approval queue');

    await card(page, 'Avery Chen').getByRole('button', { name: 'Approve' }).click();
    const approve = page.getByRole('dialog', { name: /Approve Avery Chen/ });
    await approve.getByLabel('Note').fill('Profile matches the registered representative.');
    await approve.getByRole('button', { name: 'Approve', exact: true }).click();
    await expectText(status(page, 'Avery Chen'), 'Active', 'LinkedIn after approval');

    await card(page, 'Lindqvist Wealth Partners').getByRole('button', { name: 'Reject' }).click();
    const reject = page.getByRole('dialog', { name: /Reject Lindqvist Wealth Partners/ });
    await reject.getByRole('button', { name: 'Reject', exact: true }).click();
    await expectText(reject.getByTestId('dialog-error'), 'required', 'reject without a note is refused');
    await reject.getByLabel('Reason for rejecting').fill('Use the firm-approved Page name, then reconnect.');
    await reject.getByRole('button', { name: 'Reject', exact: true }).click();
    await expectText(status(page, 'Lindqvist Wealth Partners'), 'Rejected', 'Facebook after rejection');
    await expectGone(page.getByRole('dialog'), 'reject dialog closes');

    await expectText(page.getByTestId('feed'), 'Pending → Rejected', 'live feed shows the rejection');
    await page.getByRole('button', { name: 'Verify audit trail' }).click();
    await expectText(page.getByTestId('audit-verdict'), 'Intact', 'audit trail verification');
  });

  await step('the advisor sees both decisions, live and after switching back', 'advisor-sees-decisions', () => [page, watcher], async () => {
    await expectText(status(watcher, 'Avery Chen'), 'Active', 'watcher: LinkedIn turned Active live');
    await expectText(status(watcher, 'Lindqvist Wealth Partners'), 'Rejected', 'watcher: Facebook turned Rejected live');
    if ((await watcher.evaluate(() => window.__marker)) !== 1) throw new Error('the watching window reloaded instead of updating live');
    await expectVisible(card(watcher, 'Avery Chen').getByTestId('simulate-menu'), 'watcher: the open Simulate menu after the live redraw');
    const focused = await watcher.evaluate(() => document.activeElement && document.activeElement.dataset.focus);
    if (focused !== 'simulate:EXPIRE') throw new Error(`watcher: focus moved to ${focused || 'nothing'} instead of staying on the first Simulate item`);

    await switchTo(page, 'Advisor: Alex Rivera', 'Alex Rivera');
    await expectText(status(page, 'Avery Chen'), 'Active', 'LinkedIn for the advisor');
    await expectText(status(page, 'Lindqvist Wealth Partners'), 'Rejected', 'Facebook for the advisor');
    const fb = card(page, 'Lindqvist Wealth Partners');
    await fb.getByText(/^History/).click();
    await expectText(fb.locator('.history'), 'Use the firm-approved Page name', 'rejection note in the history');
    await watcher.context().close();
    watcher = null;
  });

  await step('a simulated expiry shows Expired with its remedy', 'linkedin-expired', () => [page], async () => {
    const li = card(page, 'Avery Chen');
    await li.getByRole('button', { name: 'Simulate' }).click();
    await li.getByRole('button', { name: 'Expire the token' }).click();
    await li.getByRole('button', { name: 'Check now' }).click();
    await expectText(status(page, 'Avery Chen'), 'Expired', 'LinkedIn after the simulated expiry');
    await expectVisible(li.getByTestId('remedy'), 'remedy text on the expired card');
  });

  await step('Review → Reconnect brings LinkedIn back to Active', 'linkedin-reconnected', () => [page], async () => {
    const li = card(page, 'Avery Chen');
    await li.getByRole('button', { name: 'Review' }).click();
    await signInPopup(page, li.getByRole('button', { name: /^Reconnect/ }), 'Continue as Avery Chen (member)');
    await expectText(status(page, 'Avery Chen'), 'Active', 'LinkedIn after reconnecting');
    const remedy = li.getByTestId('remedy');
    try {
      await remedy.waitFor({ state: 'detached', timeout: TIMEOUT });
    } catch {
      throw new Error(`the Active card still shows a remedy: "${(await remedy.innerText()).trim()}"`);
    }
  });

  await step('the console fits a 375 px wide screen', 'narrow-screen', () => [page], async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await expectVisible(card(page, 'Avery Chen'), 'LinkedIn card at 375 px');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0) throw new Error(`the page scrolls sideways by ${overflow} px at 375 px`);
  });

  await browser.close();
  console.log(`all ${stepNo} steps passed; screenshots in ${SHOTS}`);
}

main().catch(async (e) => {
  console.error(`FAIL ${e.message}`);
  if (browser) await browser.close().catch(() => {});
  process.exit(1);
});
