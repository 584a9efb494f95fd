// Walks the console's posts in Chromium the way people use them, on the server the
// console walk (console.mjs) left behind: the advisor Alex Rivera has the LinkedIn
// member Avery Chen ACTIVE. The advisor writes a post, compliance reads what LinkedIn
// will be sent and approves it, the post leaves and its link opens the sandbox's copy;
// compliance rejects another with a note the advisor reads; an expired token holds a
// third with the reason, and Review → Reconnect lets it leave.
//
//   SOCIALGATE_URL=http://127.0.0.1:18080 node posts.mjs   (after console.mjs)
//
// Environment as for console.mjs. Exits 0 when every step passed.

import { mkdir } from 'node:fs/promises';

import {
  SHOTS,
  TIMEOUT,
  card,
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

/** Writes a post to Avery Chen and sends it for review. */
async function write(page, text, link) {
  const panel = page.locator('#compose-panel');
  if (!(await panel.evaluate((el) => el.open))) await panel.locator('summary').click();
  const form = page.getByTestId('compose');
  await form.getByRole('checkbox', { name: /LinkedIn: Avery Chen/ }).check();
  await form.getByLabel('Text').fill(text);
  if (link) await form.getByLabel('Link (optional)').fill(link);
  await form.getByRole('button', { name: 'Send for review' }).click();
  await expectText(post(page, text), 'Waiting for review', `"${text}" waits for review`);
}

const post = (page, text) => page.getByTestId('post').filter({ hasText: text });
const review = (page, text) => page.getByTestId('review-post').filter({ hasText: text });

async function main() {
  await preflight();
  await mkdir(SHOTS, { recursive: true });
  const browser = await launch();
  let page;

  await step('the advisor writes a post and sends it for review', 'post-written', () => [page], async () => {
    page = await openConsole(browser, 'advisor');
    await expectText(page.getByTestId('live'), 'Live', 'live indicator');
    await expectText(status(page, 'Avery Chen'), 'Active', 'LinkedIn is active');
    await write(page, 'Our 2027 outlook, in brief', 'https://example.com/outlook');
    await expectText(post(page, 'Our 2027 outlook').getByTestId('delivery-status'), 'In review', 'the delivery waits');
  });

  await step('compliance reads what LinkedIn is sent and approves it; it leaves', 'post-published', () => [page], async () => {
    await switchTo(page, 'Compliance: Casey Lin', 'Casey Lin');
    const waiting = review(page, 'Our 2027 outlook');
    await expectVisible(waiting, 'the post in the review queue');
    await expectText(waiting.getByTestId('rendition'), 'Link card: https://example.com/outlook', 'what LinkedIn gets');
    await waiting.getByRole('button', { name: 'Approve post' }).click();
    const published = post(page, 'Our 2027 outlook');
    // The publish job looks every few seconds.
    await expectText(published.getByTestId('delivery-status'), 'Published', 'the delivery after approval');
    await expectVisible(published.getByTestId('permalink'), 'the link to the published post');
  });

  await step('the link opens the published post', 'post-permalink', () => [page], async () => {
    const link = await post(page, 'Our 2027 outlook').getByTestId('permalink').getAttribute('href');
    const view = await page.context().newPage();
    await view.goto(link);
    await expectText(view.locator('article.post'), 'Our 2027 outlook, in brief', 'the network shows the post');
    await view.close();
  });

  await step('compliance rejects a post with a note; the advisor reads it', 'post-rejected', () => [page], async () => {
    await switchTo(page, 'Advisor: Alex Rivera', 'Alex Rivera');
    await write(page, 'Guaranteed 12% returns this year!');
    await switchTo(page, 'Compliance: Casey Lin', 'Casey Lin');
    await review(page, 'Guaranteed 12%').getByRole('button', { name: 'Reject with a note' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reject this post' });
    await dialog.getByLabel('Note for the author').fill('No promises of performance: see policy 4.2.');
    await dialog.getByRole('button', { name: 'Reject post' }).click();
    await switchTo(page, 'Advisor: Alex Rivera', 'Alex Rivera');
    await expectText(post(page, 'Guaranteed 12%'), 'No promises of performance', 'the note for the author');
    await expectText(post(page, 'Guaranteed 12%').getByTestId('delivery-status'), 'Rejected', 'the rejected delivery');
  });

  await step('an expired token holds the next post, with the reason and the fix', 'post-held', () => [page], async () => {
    const li = card(page, 'Avery Chen');
    await li.getByRole('button', { name: 'Simulate' }).click();
    await li.getByRole('button', { name: 'Expire the token' }).click();
    await write(page, 'A thought for Monday');
    await switchTo(page, 'Compliance: Casey Lin', 'Casey Lin');
    await review(page, 'A thought for Monday').getByRole('button', { name: 'Approve post' }).click();
    await switchTo(page, 'Advisor: Alex Rivera', 'Alex Rivera');
    const held = post(page, 'A thought for Monday');
    await expectText(held.getByTestId('delivery-status'), 'Held', 'the delivery while the token is refused');
    await expectText(held.getByTestId('delivery-detail'), 'Held: the account is expired.', 'why it is held');
    await expectText(status(page, 'Avery Chen'), 'Expired', 'the account after the refusal');
  });

  await step('Review → Reconnect, and the held post leaves', 'post-resumed', () => [page], async () => {
    await post(page, 'A thought for Monday').getByRole('button', { name: 'Review Avery Chen' }).click();
    const li = card(page, 'Avery Chen');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      return el && el.matches('[data-integration-id]') ? el.innerText : `a ${el ? el.tagName : 'nothing'}`;
    });
    if (!focused.includes('Avery Chen')) throw new Error(`the fix did not lead to the account's card (focus on ${focused.slice(0, 80)})`);
    await li.getByRole('button', { name: 'Review' }).click();
    await signInPopup(page, li.getByRole('button', { name: /^Reconnect/ }), 'Continue as Avery Chen (member)');
    await expectText(status(page, 'Avery Chen'), 'Active', 'LinkedIn after reconnecting');
    const left = post(page, 'A thought for Monday');
    await left.getByTestId('delivery-status').filter({ hasText: 'Published' }).waitFor({ timeout: TIMEOUT * 2 });
    await expectVisible(left.getByTestId('permalink'), 'the link once it left');
  });

  await step('compliance revokes an approval with a note; each side is told its next step', 'approval-revoked', () => [page], async () => {
    await switchTo(page, 'Compliance: Casey Lin', 'Casey Lin');
    const li = card(page, 'Avery Chen');
    if (await li.getByRole('button', { name: 'Reject', exact: true }).count()) throw new Error('an Active card offers a bare Reject');
    await li.getByRole('button', { name: 'Revoke approval' }).click();
    const dialog = page.getByRole('dialog', { name: /Revoke the approval of Avery Chen/ });
    await expectText(dialog, 'withdraws the approval', 'the dialog says what revoking does');
    await dialog.getByLabel('Why the approval is revoked').fill('The profile headline promises returns.');
    await dialog.getByRole('button', { name: 'Revoke approval' }).click();
    await expectText(status(page, 'Avery Chen'), 'Rejected', 'the account after the revocation');
    await expectText(li.getByTestId('remedy'), 'its owner can reconnect it', 'compliance is not told to reconnect');
    await switchTo(page, 'Advisor: Alex Rivera', 'Alex Rivera');
    await expectText(card(page, 'Avery Chen').getByTestId('remedy'), "Read compliance's note", 'the advisor is told what to do');
  });

  await browser.close();
  console.log(`all ${steps()} steps passed; screenshots in ${SHOTS}`);
}

main().catch((e) => {
  console.error(`FAIL ${e.message}`);
  process.exit(1);
});
