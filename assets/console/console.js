// The "Manage Social Media" console: who is signed in, loading their data, and the
// live connection. Board draws, Connector runs sign-in popups, actions.js holds what
// the card buttons do; this file wires them to the API.

import { createActions } from './actions.js';
import { Board } from './board.js';
import { Connector } from './connect.js';
import { Posts } from './posts.js';
import { ROLE_NAMES, STATUS_LABELS, fill, h } from './dom.js';
import { SubscriptionClient, request } from './graphql.js';
import { DELIVERY_FEED, INTEGRATION, INTEGRATIONS, NETWORKS, STATUS_FEED, VERIFY, VIEWER } from './queries.js';
import { DEV_PEOPLE, Session } from './session.js';
import { clearNotices, notify, notifyError } from './ui.js';

const httpUrl = new URL('../graphql', location.href).href;
const wsUrl = (() => {
  const url = new URL('../graphql/ws', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
})();

const session = new Session();
let unsubscribe = null;
let unsubscribePosts = null;
let loadRun = 0;

/** Runs an operation as the current person; a refused dev token is renewed once. */
async function api(query, variables) {
  try {
    return await request(httpUrl, () => session.token, query, variables);
  } catch (e) {
    if (e.code === 'UNAUTHENTICATED' && (await session.renew())) {
      return request(httpUrl, () => session.token, query, variables);
    }
    if (e.code === 'UNAUTHENTICATED' && !session.devMode && session.token) tokenRefused(e.message);
    if (e.code === 'UNAUTHENTICATED' && session.host) {
      session.host = false;
      showSignIn(`Not signed in any more: ${e.message}`);
    }
    throw e;
  }
}

const live = new SubscriptionClient(wsUrl, {
  // Under a host's sign-in the cookie on the upgrade request says who it is.
  connectionPayload: async () => (session.token ? { Authorization: `Bearer ${session.token}` } : {}),
  onState: showLive,
  onAuthFailed: async (reason) => {
    if (await session.renew()) return true;
    if (!session.devMode && session.token) tokenRefused(reason);
    return false;
  },
});

/** A pasted token stopped working: ask for a new one, saying why. */
function tokenRefused(why) {
  const expired = session.expired() || /expired/i.test(why || '');
  session.signOut();
  showSignIn(expired ? 'Your token expired; paste a new one.' : `The server refused this token${why ? ` (${why})` : ''}. Paste a new one.`);
}

const LIVE_WORDS = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  unauthorized: 'Offline: sign in again',
  closed: 'Offline',
};

function showLive(state) {
  const el = document.getElementById('live');
  el.dataset.state = state;
  el.querySelector('.live-text').textContent = LIVE_WORDS[state] || state;
}

const actions = createActions({
  api,
  reloadOne: (id) => reloadOne(id),
  refreshNetworks: () => refreshNetworks(),
  board: () => board,
  connector: () => connector,
});

const board = new Board({
  actions,
  onConnect: (network) => connector.connect(network),
  onCancelConnect: () => connector.cancel(),
});

const connector = new Connector({
  api,
  onWaiting: (attempt) => board.setWaiting(attempt),
  onConnected: (integration, attempt) => {
    board.upsert(integration);
    refreshNetworks();
    const verb = attempt.integrationId ? 'reconnected' : 'connected';
    const next = integration.status === 'PENDING' ? 'and waits for compliance approval' : `and ${STATUS_LABELS[integration.status] || integration.status}`;
    notify(`${integration.displayName} is ${verb} ${next}.`, { tone: 'success' });
  },
  onChanged: () => refreshNetworks(),
});

const posts = new Posts({ api, focusIntegration });

/** Shows the card of integration `id` and puts the keyboard on it. */
function focusIntegration(id) {
  const card = document.querySelector(`[data-integration-id="${CSS.escape(id)}"]`);
  if (!card) return;
  card.scrollIntoView({ block: 'center' });
  if (!card.hasAttribute('tabindex')) card.setAttribute('tabindex', '-1');
  card.focus();
}

async function reloadOne(id) {
  const data = await api(INTEGRATION, { id });
  if (data.integration) board.upsert(data.integration);
}

let networksTimer = null;
function refreshNetworks() {
  clearTimeout(networksTimer);
  networksTimer = setTimeout(async () => {
    try {
      board.setNetworks((await api(NETWORKS)).networks);
    } catch {
      // The next change refreshes them again.
    }
  }, 150);
}

/**
 * Loads everything for the current person and follows their live feed. The feed is
 * followed before the list is read, and what it says meanwhile is held and applied
 * after: a change made while the pages were read is then never lost (a stale or
 * repeated one is dropped by the version check).
 */
async function load() {
  const run = ++loadRun;
  // A sign-in the previous person opened is not this one's to finish.
  connector.reset();
  if (unsubscribe) unsubscribe();
  unsubscribe = null;
  if (unsubscribePosts) unsubscribePosts();
  unsubscribePosts = null;
  live.stop();
  board.showLoading();
  document.getElementById('workspace').setAttribute('aria-busy', 'true');
  let held = [];
  unsubscribe = follow((event) => (held ? held.push(event) : applyEvent(event)));
  try {
    // The socket's subscription goes out before the first page is asked for.
    const [first] = await Promise.all([api(VIEWER), live.whenLive(3000)]);
    if (run !== loadRun) return;
    board.setViewer(first.viewer, session.devMode);
    posts.setViewer(first.viewer);
    board.setNetworks(first.networks);
    showIdentity(first.viewer);
    arrange();
    const list = [];
    let after = null;
    do {
      const page = (await api(INTEGRATIONS, { after })).integrations;
      list.push(...page.edges.map((e) => e.node));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after && run === loadRun);
    if (run !== loadRun) return;
    board.setIntegrations(list);
    posts.setAccounts(list);
    unsubscribePosts = followPosts();
    await posts.reload();
    const waiting = held;
    held = null;
    for (const event of waiting) applyEvent(event);
    // A link from the Daily Digest names the account to review: `?integration={id}`.
    const linked = new URLSearchParams(location.search).get('integration');
    if (linked) focusIntegration(linked);
    // Were the socket to drop before its first event, it resumes after what was read.
    const last = board.lastSequence();
    if (last > 0) unsubscribe.resumeAfter(String(last));
  } catch (e) {
    if (run === loadRun) notifyError(e, 'The console could not load');
  } finally {
    if (run === loadRun) document.getElementById('workspace').removeAttribute('aria-busy');
  }
}

/** Follows status changes from now on; the client resumes after the last one it got. */
function follow(onEvent) {
  return live.subscribe(
    {
      query: STATUS_FEED,
      variables: { after: null },
      resume: { argument: 'after', cursorOf: (data) => data.integrationStatusChanged.cursor },
    },
    {
      next: ({ integrationStatusChanged: event }) => onEvent(event),
      error: (e) => notifyError(e, 'Live updates stopped'),
    },
  );
}

/** Reads the posts again whenever one of their deliveries moves. */
function followPosts() {
  return live.subscribe(
    {
      query: DELIVERY_FEED,
      variables: { after: null },
      resume: { argument: 'after', cursorOf: (data) => data.postDeliveryChanged.cursor },
    },
    {
      next: () => posts.reload(),
      error: (e) => notifyError(e, 'Live post updates stopped'),
    },
  );
}

function applyEvent(event) {
  board.upsert(event.integration);
  posts.setAccounts([...board.items.values()]);
  board.addFeed(event);
  refreshNetworks();
}

/** Reviewers see the queue first; advisors start with connecting. */
function arrange() {
  const primary = document.getElementById('primary');
  const networks = document.getElementById('networks-section');
  const list = document.getElementById('integrations-section');
  const queue = document.getElementById('queue-section');
  if (board.reviewer) primary.append(queue, list, networks);
  else primary.append(networks, list, queue);
  document.getElementById('networks-title').textContent = board.reviewer ? 'Connect your own accounts' : 'Connect a network';
  document.getElementById('audit-section').hidden = !board.reviewer;
  fill(document.getElementById('verify-result'));
}

function showIdentity(viewer) {
  const roles = viewer.roles.map((r) => ROLE_NAMES[r] || r).join(', ');
  const name = (session.identity && session.identity.name) || (viewer.user && viewer.user.name) || viewer.subject;
  fill(
    document.getElementById('identity'),
    h('span', { class: 'identity-name', 'data-testid': 'identity-name' }, name),
    h('span', { class: 'identity-role', 'data-testid': 'identity-role' }, `${roles} · ${viewer.tenant.externalId}`),
  );
  const signOut = document.getElementById('sign-out');
  signOut.hidden = session.devMode || session.host;
}

function renderPersonSwitch() {
  const group = document.getElementById('person-switch');
  group.hidden = !session.devMode;
  if (!session.devMode) return;
  fill(
    group,
    DEV_PEOPLE.map((p) =>
      h(
        'button',
        {
          type: 'button',
          class: 'switch-option',
          'aria-pressed': String(session.person === p.key),
          onclick: () => switchPerson(p.key),
        },
        `${p.role}: ${p.name}`,
      ),
    ),
  );
}

async function switchPerson(person) {
  if (person === session.person) return;
  try {
    if (!(await session.mint(person))) throw new Error('This server no longer issues sample tokens. Reload the page.');
  } catch (e) {
    notifyError(e, 'Could not switch');
    return;
  }
  renderPersonSwitch();
  // What was said to the other person is not this one's business.
  clearNotices();
  await load();
}

function showSignIn(message) {
  loadRun += 1;
  connector.reset();
  if (unsubscribe) unsubscribe();
  unsubscribe = null;
  if (unsubscribePosts) unsubscribePosts();
  unsubscribePosts = null;
  live.stop();
  showLive('closed');
  document.getElementById('workspace').hidden = true;
  const section = document.getElementById('signin');
  section.hidden = false;
  document.getElementById('signin-message').textContent = message || '';
  fill(document.getElementById('identity'));
  document.getElementById('sign-out').hidden = true;
  document.getElementById('token').focus();
}

function wireStatic() {
  document.getElementById('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const field = document.getElementById('token');
    if (!field.value.trim()) {
      field.focus();
      return;
    }
    session.usePastedToken(field.value);
    field.value = '';
    clearNotices();
    document.getElementById('signin').hidden = true;
    document.getElementById('workspace').hidden = false;
    load();
  });
  document.getElementById('sign-out').addEventListener('click', () => {
    session.signOut();
    showSignIn('Signed out. Paste a token to continue.');
  });
  document.getElementById('verify').addEventListener('click', verifyAudit);
}

async function verifyAudit() {
  const button = document.getElementById('verify');
  const out = document.getElementById('verify-result');
  button.disabled = true;
  fill(out, h('p', { class: 'muted' }, 'Recomputing every hash…'));
  try {
    const v = (await api(VERIFY)).verifyAuditTrail;
    const checked = new Date().toLocaleTimeString();
    fill(
      out,
      h(
        'div',
        { class: `verdict ${v.intact ? 'verdict-ok' : 'verdict-bad'}`, 'data-testid': 'audit-verdict', 'data-intact': String(v.intact) },
        h('p', { class: 'verdict-title' }, v.intact ? '✓ Intact' : `✕ Broken at event #${v.firstBrokenSequence}`),
        h('p', {}, v.intact
          ? `All ${v.eventCount} events recompute and the sequence has no gap.`
          : `${v.eventCount} events; the chain does not verify from event #${v.firstBrokenSequence}. Tell your administrator.`),
        h('p', { class: 'verdict-hash' }, 'Head hash ', h('code', {}, v.headHash)),
        h('p', { class: 'muted' }, `Checked at ${checked}`),
      ),
    );
  } catch (e) {
    fill(out);
    notifyError(e, 'Verification failed');
  } finally {
    button.disabled = false;
  }
}

async function start() {
  wireStatic();
  try {
    await session.init();
  } catch (e) {
    notifyError(e, 'The console could not start');
    return;
  }
  renderPersonSwitch();
  // Relative times ("expires in 3 days") age; only their words are rewritten.
  setInterval(() => board.refreshTimes(), 60_000);
  if (!session.token && !session.host) {
    showSignIn(
      session.refusal
        ? `${session.refusal} Paste an access token to continue.`
        : session.anonymous && !/bearer token/i.test(session.anonymous)
          ? // A host's own sign-in: its words say where to sign in.
            `${session.anonymous.charAt(0).toUpperCase()}${session.anonymous.slice(1)}.`
          : 'This server issues no sample tokens. Paste an access token to continue.',
    );
    return;
  }
  document.getElementById('workspace').hidden = false;
  await load();
}

start();
