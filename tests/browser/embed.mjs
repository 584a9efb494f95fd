// Walks the embedding example's host (`examples/embed.rs`) in Chromium: the host's own
// sign-in page sets its cookie, and socialgate's console under /social works with it as
// it is (no token pasted): an advisor connects LinkedIn, compliance approves it, and
// after the host's sign-out the console says where to sign in.
//
//   SOCIALGATE_URL=http://127.0.0.1:8090 node embed.mjs    (the host's base URL)
//
// Exits 0 when every step passed; otherwise prints the failed step and exits 1.

import { mkdir } from 'node:fs/promises';

import { SHOTS, TIMEOUT, card, expectText, expectVisible, launch, signInPopup, status, step, steps } from './walk.mjs';

const HOST = process.env.SOCIALGATE_URL;

/** Signs in at the host's home page as `who` (the button's words); the console opens. */
async function hostSignIn(page, who) {
  await page.goto(`${HOST}/`);
  await page.getByRole('button', { name: who }).click();
  await page.waitForURL(/\/social\/console\/$/, { timeout: TIMEOUT });
}

async function main() {
  await mkdir(SHOTS, { recursive: true });
  const browser = await launch();
  const page = await (await browser.newContext()).newPage();

  await step("the host's sign-in opens the console, no token asked", 'embed-advisor', () => [page], async () => {
    await hostSignIn(page, 'Sign in as Alice Advisor (advisor)');
    await expectText(page.getByTestId('identity-name'), 'Alice Advisor', 'the person the host signed in');
    await expectText(page.getByTestId('live'), 'Live', 'the live feed over the host-vouched socket');
    if (await page.locator('#signin').isVisible()) throw new Error('the console asks for a token under the host sign-in');
    if (await page.locator('#sign-out').isVisible()) throw new Error('the console offers its own sign-out under the host');
  });

  await step('the advisor connects LinkedIn under the prefix', 'embed-connect', () => [page], async () => {
    await signInPopup(page, page.getByRole('button', { name: 'Connect LinkedIn' }), 'Continue as Avery Chen (member)');
    await expectText(status(page, 'Avery Chen'), 'Pending', 'the new card');
  });

  await step('compliance signs in at the host and approves it', 'embed-approve', () => [page], async () => {
    await hostSignIn(page, 'Sign in as Carol Compliance (compliance)');
    await expectText(page.getByTestId('identity-name'), 'Carol Compliance', 'the compliance officer');
    await card(page, 'Avery Chen').getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('dialog', { name: /Approve Avery Chen/ }).getByRole('button', { name: 'Approve', exact: true }).click();
    await expectText(status(page, 'Avery Chen'), 'Active', 'after approval');
  });

  await step('GraphiQL under the host says no token is needed', 'embed-graphiql', () => [page], async () => {
    const response = await page.request.get(`${HOST}/social/graphiql`);
    const html = await response.text();
    if (!html.includes('no token needed')) throw new Error('GraphiQL tells a host-signed-in person to find a token');
    // The request that works from the host's pages: same origin, the cookie goes along.
    const viewer = await page.evaluate(async () => {
      const r = await fetch('/social/graphql', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: '{ viewer { subject roles } }' }),
      });
      return (await r.json()).data.viewer;
    });
    if (viewer.subject !== 'carol') throw new Error(`the host's request answered ${JSON.stringify(viewer)}`);
  });

  await step("after the host's sign-out the console says where to sign in", 'embed-signed-out', () => [page], async () => {
    await page.goto(`${HOST}/`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expectText(page.locator('#who'), 'nobody', 'signed out at the host');
    await page.goto(`${HOST}/social/console/`);
    await expectVisible(page.locator('#signin'), 'the sign-in section');
    await expectText(page.locator('#signin-message'), 'sign in to the application this page belongs to', 'where to sign in');
  });

  await browser.close();
  console.log(`all ${steps()} steps passed; screenshots in ${SHOTS}`);
}

main().catch((e) => {
  console.error(`FAIL ${e.message}`);
  process.exit(1);
});
