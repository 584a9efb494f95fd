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

import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import {
  SHOTS,
  TIMEOUT,
  card,
  expectGone,
  expectText,
  expectVisible,
  launch,
  openConsole,
  preflight,
  signInPopup,
  status,
  step,
  steps,
  switchTo,
} from './walk.mjs';

async function main() {
  await preflight();
  await mkdir(SHOTS, { recursive: true });
  const browser = await launch();
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
    await page.screenshot({ path: path.join(SHOTS, `${String(steps()).padStart(2, '0')}-facebook-choose-page-dialog.png`) });
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

    await expectText(card(page, 'Avery Chen').getByTestId('remedy'), 'Review the account, then approve it', 'compliance is asked to review, not to wait');
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

    await expectText(page.getByTestId('feed'), 'Pending → Rejected · Rejected by Casey Lin', 'live feed shows the rejection and who made it');
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
    const told = await expectText(card(page, 'Lindqvist Wealth Partners').getByTestId('remedy'), "Read compliance's note", 'the advisor of a rejected account');
    if (told.includes('Wait for compliance')) throw new Error(`the rejected card tells the advisor to wait: ${told}`);
    const fb = card(page, 'Lindqvist Wealth Partners');
    await fb.getByText(/^History/).click();
    await expectText(fb.locator('.history'), 'Use the firm-approved Page name', 'rejection note in the history');
    await expectText(fb.locator('.history'), 'Rejected by Casey Lin', 'who decided, said once');
    await watcher.context().close();
    watcher = null;
  });

  await step('during an outage the notice says what the card says, and replaces the stale one', 'linkedin-outage', () => [page], async () => {
    const li = card(page, 'Avery Chen');
    const notices = page.locator('#notices');
    await li.getByRole('button', { name: 'Simulate' }).click();
    if (await li.getByRole('button', { name: 'Lose the Page role' }).count()) throw new Error('a LinkedIn profile is offered a Page role to lose');
    await li.getByRole('button', { name: 'Start an outage' }).click();
    await expectText(notices, 'It shows at the next check', 'the simulation notice');
    await li.getByRole('button', { name: 'Check now' }).click();
    await expectText(li, 'no answer, will retry', 'the card after a check during the outage');
    const said = await expectText(notices, 'did not answer for Avery Chen', 'the notice after the check');
    if (said.includes('It shows at the next check')) throw new Error(`the stale simulation notice stayed: ${said}`);
    const about = await notices.locator('[data-about]').count();
    if (about !== 1) throw new Error(`${about} notices about one card`);
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

  let tab = null;
  await step('a connect started outside the console is finished on the callback page', 'connect-finish-here', () => [tab], async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    // As from GraphiQL or curl: the mutation with a token, the sign-in in a plain tab.
    const token = await page.evaluate(async () => {
      const r = await fetch('../dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ person: 'advisor' }) });
      return (await r.json()).token;
    });
    const gql = (query) =>
      page.evaluate(
        async ({ query, token }) => {
          const r = await fetch('../graphql', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
          return r.json();
        },
        { query, token },
      );
    const started = await gql('mutation { connectIntegration(network: INSTAGRAM) { authorizationUrl } }');
    tab = await page.context().newPage();
    await tab.goto(started.data.connectIntegration.authorizationUrl);
    await tab.locator('a[data-login="ig-lindqvist"]').click();
    await expectVisible(tab.getByRole('heading', { name: 'Finish here' }), 'the finish-here step on a page no window opened');
    const mutation = await tab.locator('#finish-mutation').innerText();
    const done = await gql(mutation);
    const connected = done.data && done.data.completeConnection;
    if (!connected || connected.status !== 'PENDING') throw new Error(`the mutation on the page did not connect: ${JSON.stringify(done)}`);
  });

  await browser.close();
  console.log(`all ${steps()} steps passed; screenshots in ${SHOTS}`);
}

main().catch((e) => {
  console.error(`FAIL ${e.message}`);
  process.exit(1);
});
