// Loads GraphiQL (/graphiql) in Chromium with every request that leaves this machine
// refused, as on a network that blocks public CDNs: the server must serve GraphiQL's
// pinned scripts itself (SOCIALGATE_GRAPHIQL_ASSETS pointing at this folder's
// node_modules), GraphiQL must render and load the schema. Then, with the scripts
// refused too, the page must say why and how to fix it.
//
//   SOCIALGATE_URL=http://127.0.0.1:18080 node graphiql.mjs
//
// Environment: SOCIALGATE_URL (required; a server in dev mode, whose schema is public),
// SCREENSHOTS (default ../../target/browser), CHROMIUM (default /usr/bin/chromium).

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const BASE = (process.env.SOCIALGATE_URL || '').replace(/\/+$/, '');
const SHOTS = path.resolve(process.env.SCREENSHOTS || path.join(here, '../../target/browser'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT = 15_000;
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

if (!BASE) {
  console.error('Set SOCIALGATE_URL to the base URL of a socialgate server in dev mode.');
  process.exit(2);
}

const own = new URL(BASE).origin;

/** A page whose requests to anywhere but this server fail, counted in `refused`. */
async function offline(browser, alsoRefuse = () => false) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const refused = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin !== own || alsoRefuse(url)) {
      refused.push(url);
      return route.abort('internetdisconnected');
    }
    return route.continue();
  });
  return { page: await context.newPage(), refused, context };
}

async function main() {
  await mkdir(SHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    // 1. Local assets, no outside network: GraphiQL renders and reads the schema.
    const { page, refused, context } = await offline(browser);
    const schema = page.waitForResponse(
      (r) => r.url() === `${BASE}/graphql` && r.request().method() === 'POST' &&
        (r.request().postData() || '').includes('IntrospectionQuery'),
      { timeout: TIMEOUT },
    );
    await page.goto(`${BASE}/graphiql`, { timeout: TIMEOUT });
    await page.locator('.graphiql-container').waitFor({ timeout: TIMEOUT });
    const answer = await schema;
    if (answer.status() !== 200) throw new Error(`introspection answered ${answer.status()}`);
    const body = await answer.json();
    if (!body.data || !body.data.__schema) throw new Error(`no schema: ${JSON.stringify(body).slice(0, 200)}`);
    if (refused.length) throw new Error(`GraphiQL reached outside this server: ${refused.join(', ')}`);
    await page.screenshot({ path: path.join(SHOTS, 'graphiql-1-local-assets.png') });
    console.log('ok 1 GraphiQL renders from local assets with the outside network cut');
    await context.close();

    // 2. Scripts that cannot load: the page says why and how to fix it.
    const blocked = await offline(browser, (url) => url.includes('/graphiql/assets/'));
    await blocked.page.goto(`${BASE}/graphiql`, { timeout: TIMEOUT });
    const alert = blocked.page.getByRole('alert');
    await alert.waitFor({ timeout: TIMEOUT });
    const text = await alert.innerText();
    for (const needed of ['could not load', 'SOCIALGATE_GRAPHIQL_ASSETS', 'npm install']) {
      if (!text.includes(needed)) throw new Error(`the explanation lacks "${needed}": ${text}`);
    }
    await blocked.page.screenshot({ path: path.join(SHOTS, 'graphiql-2-assets-blocked.png') });
    console.log('ok 2 blocked scripts: the page says why and how to fix it');
    await blocked.context.close();
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(`FAIL ${error.message}`);
  process.exit(1);
});
