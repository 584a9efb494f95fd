// What the console shows: networks, the approval queue, integration cards and the
// activity feed, kept in step with the server. A card is redrawn in place when its
// integration changes, whether the change came from this tab or from the live feed.

import { renderCard, skeletonCard, swapCard, whyAndWho } from './cards.js';
import {
  BUSY_HINT,
  NETWORK_MONOGRAMS,
  STATUS_LABELS,
  fill,
  h,
  networkName,
  refreshTimes,
  timeEl,
  timeOfDay,
} from './dom.js';
import { forgetNoticesAbout } from './ui.js';

const FEED_LIMIT = 40;
const EARLIER_IN_FEED = 12;

export class Board {
  constructor({ actions, onConnect, onCancelConnect }) {
    this.actions = actions;
    this.onConnect = onConnect;
    this.onCancelConnect = onCancelConnect;
    this.items = new Map();
    this.cards = new Map();
    this.networks = [];
    this.seen = new Set();
    this.viewer = null;
    this.devMode = false;
    this.waiting = null;
    this.el = {
      queueSection: document.getElementById('queue-section'),
      queue: document.getElementById('queue'),
      queueCount: document.getElementById('queue-count'),
      list: document.getElementById('integrations'),
      listTitle: document.getElementById('integrations-title'),
      listCount: document.getElementById('integrations-count'),
      networks: document.getElementById('networks'),
      busy: document.getElementById('connect-busy'),
      feed: document.getElementById('feed'),
      feedEmpty: document.getElementById('feed-empty'),
    };
  }

  get reviewer() {
    return !!this.viewer && this.viewer.roles.some((r) => r === 'COMPLIANCE' || r === 'ADMIN');
  }

  /** Placeholders of the final size while a person's data loads. */
  showLoading() {
    this.items.clear();
    this.cards.clear();
    this.seen.clear();
    fill(this.el.list, skeletonCard(), skeletonCard());
    fill(this.el.queue);
    fill(this.el.networks, ['LINKEDIN', 'FACEBOOK', 'INSTAGRAM', 'X'].map(() => h('li', { class: 'network skeleton', 'aria-hidden': 'true' })));
    fill(this.el.feed);
    this.el.feedEmpty.hidden = false;
    this.el.listCount.textContent = '';
    this.el.queueCount.textContent = '';
  }

  setViewer(viewer, devMode) {
    this.viewer = viewer;
    this.devMode = devMode;
    this.el.queueSection.hidden = !this.reviewer;
    this.el.listTitle.textContent = this.reviewer ? 'All integrations' : 'Your integrations';
  }

  setNetworks(networks) {
    this.networks = networks;
    this.renderNetworks();
  }

  /**
   * Shows which sign-in is open (null: none). While one is, every other Connect and
   * Reconnect waits, and says why.
   */
  setWaiting(attempt) {
    this.waiting = attempt;
    this.renderNetworks();
    // A reconnect shows its wait on its card; every card's Reconnect waits with it.
    for (const item of [...this.items.values()]) this.upsert(item, { force: true });
  }

  renderNetworks() {
    const busy = this.el.busy;
    busy.hidden = !this.waiting;
    fill(busy, this.waiting && `Sign-in at ${networkName(this.waiting.network)} is open in its own window. ${BUSY_HINT}`);
    // Redrawing the tiles must not drop the focus of someone working through them.
    const active = document.activeElement;
    const tile = this.el.networks.contains(active) ? active.closest('li.network') : null;
    fill(this.el.networks, this.networks.map((n) => this.networkTile(n)));
    if (tile) {
      const twin = this.el.networks.querySelector(`li[data-testid="${tile.dataset.testid}"] button`);
      if (twin) twin.focus();
    }
  }

  networkTile(n) {
    const name = networkName(n.key);
    const full = n.supported && n.used >= n.limit;
    const reasonId = `network-reason-${n.key}`;
    let reason = null;
    if (!n.supported) reason = n.unsupportedReason || 'Not supported.';
    else if (n.limit === 0) reason = 'Your firm does not allow connecting this network.';
    else if (full && n.limit === 1) reason = `Your one ${name} slot is in use. Disconnect that account to connect another.`;
    else if (full) reason = `You use all ${n.limit} of your ${name} slots. Disconnect one to connect another.`;
    const waiting = this.waiting && this.waiting.network === n.network && !this.waiting.integrationId;
    const held = !!this.waiting && !waiting;
    const usage = n.supported ? `${n.used} of ${n.limit} connected` : 'Not supported';
    // An unsupported network's description says the same as its reason: say it once.
    const description = n.supported ? n.description : null;
    return h(
      'li',
      { class: `network${n.supported ? '' : ' network-unsupported'}`, 'data-testid': `network-${n.key}` },
      h(
        'div',
        { class: 'network-head' },
        h('span', { class: `monogram monogram-${n.key.toLowerCase()}`, 'aria-hidden': 'true' }, NETWORK_MONOGRAMS[n.key]),
        h('div', { class: 'network-name' }, h('h3', {}, name), h('p', { class: 'usage', 'data-testid': 'usage' }, usage)),
      ),
      n.supported && n.limit > 0 &&
        h('div', { class: 'meter', 'aria-hidden': 'true' }, Array.from({ length: n.limit }, (_, i) => h('span', { class: i < n.used ? 'slot slot-used' : 'slot' }))),
      description && h('p', { class: 'network-desc' }, description),
      reason && h('p', { id: reasonId, class: 'network-reason', 'data-testid': 'network-reason' }, reason),
      h(
        'div',
        { class: 'network-foot' },
        waiting
          ? [
              h('p', { class: 'waiting' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Waiting for sign-in…'),
              h('button', { type: 'button', class: 'button ghost', onclick: () => this.onCancelConnect() }, 'Cancel sign-in'),
            ]
          : h(
              'button',
              {
                type: 'button',
                class: 'button primary',
                disabled: !n.supported || full,
                // Still focusable, so a keyboard user hears why it waits.
                'aria-disabled': held && n.supported && !full ? 'true' : null,
                'aria-describedby': reason ? reasonId : held ? 'connect-busy' : null,
                onclick: () => {
                  if (!this.waiting) this.onConnect(n.network);
                },
              },
              `Connect ${name}`,
            ),
      ),
    );
  }

  /** Replaces everything with a freshly loaded list. */
  setIntegrations(list) {
    this.items.clear();
    this.cards.clear();
    fill(this.el.list);
    fill(this.el.queue);
    for (const item of list) this.upsert(item, { force: true });
    this.renderEmpty();
    const earlier = list
      .flatMap((item) => item.history.filter((e) => e.kind === 'TRANSITION').map((e) => ({ ...e, integration: item })))
      .sort((a, b) => b.sequence - a.sequence)
      .slice(0, EARLIER_IN_FEED)
      .reverse();
    for (const event of earlier) this.addFeed(event, false);
  }

  /** The highest audit sequence in what was loaded: where the live feed resumes. */
  lastSequence() {
    let max = 0;
    for (const item of this.items.values()) {
      for (const e of item.history) max = Math.max(max, e.sequence);
    }
    return max;
  }

  ctx() {
    return {
      viewer: this.viewer,
      devMode: this.devMode,
      simulations: (network) => (this.networks.find((n) => n.network === network) || {}).sandboxSimulations || [],
      showOwner: this.reviewer,
      actions: this.actions,
      waitingFor: this.waiting && this.waiting.integrationId,
      busy: !!this.waiting,
      onCancelConnect: this.onCancelConnect,
    };
  }

  inQueue(item) {
    return this.reviewer && item.status === 'PENDING' && item.availableActions.includes('APPROVE');
  }

  /**
   * Shows `item` (new or changed). An older version than the one shown is ignored,
   * so a late answer never undoes a newer live event.
   */
  upsert(item, { force = false } = {}) {
    const known = this.items.get(item.id);
    if (!force && known && known.version > item.version) return;
    const changed = known && (known.version !== item.version || known.lastCheckedAt !== item.lastCheckedAt);
    if (changed) forgetNoticesAbout(item.id);
    if (item.disconnectedAt) {
      this.remove(item.id);
      return;
    }
    this.items.set(item.id, item);
    const card = renderCard(item, this.ctx());
    const prev = this.cards.get(item.id);
    const target = this.inQueue(item) ? this.el.queue : this.el.list;
    if (prev && prev.parentElement === target) {
      swapCard(prev, card);
    } else {
      if (prev) prev.remove();
      // Oldest first, like the API lists them.
      const after = [...target.children].find((c) => c.dataset.integrationId && this.older(item, c.dataset.integrationId));
      target.insertBefore(card, after || null);
    }
    this.cards.set(item.id, card);
    this.renderEmpty();
  }

  older(item, otherId) {
    const other = this.items.get(otherId);
    return other && new Date(other.connectedAt) > new Date(item.connectedAt);
  }

  remove(id) {
    const card = this.cards.get(id);
    if (card) card.remove();
    this.cards.delete(id);
    this.items.delete(id);
    this.renderEmpty();
  }

  /** Ages the relative times ("expires in 3 days") without redrawing a card. */
  refreshTimes() {
    refreshTimes(this.el.list);
    refreshTimes(this.el.queue);
  }

  renderEmpty() {
    for (const [el, count, text] of [
      [this.el.list, this.el.listCount, this.reviewer ? 'No other integrations.' : 'Nothing connected yet. Connect LinkedIn, Facebook or Instagram above; compliance reviews each account before it goes live.'],
      [this.el.queue, this.el.queueCount, 'Nothing is waiting for approval.'],
    ]) {
      const cards = el.querySelectorAll('[data-integration-id]').length;
      count.textContent = cards ? `(${cards})` : '';
      const empty = el.querySelector('.empty');
      if (!cards && !empty) el.append(h('p', { class: 'empty' }, text));
      if (cards && empty) empty.remove();
      if (!cards && empty) empty.textContent = text;
    }
  }

  /** Adds a status change to the feed, newest on top; `live` marks it as just seen. */
  addFeed(event, live = true) {
    if (this.seen.has(event.sequence)) return;
    this.seen.add(event.sequence);
    const item = event.integration;
    const from = event.fromStatus || event.previousStatus;
    const to = event.toStatus || event.status;
    const change = from ? `${STATUS_LABELS[from] || from} → ${STATUS_LABELS[to] || to}` : `${STATUS_LABELS[to] || to}`;
    const entry = h(
      'li',
      { class: `feed-item${live ? ' feed-live' : ''}`, 'data-testid': 'feed-item', 'data-sequence': event.sequence },
      h('span', { class: 'feed-time' }, timeEl(event.occurredAt, timeOfDay(event.occurredAt))),
      h(
        'span',
        { class: 'feed-text' },
        h('strong', {}, item.displayName),
        ` (${networkName(item.network)}) `,
        h('span', { class: `feed-change feed-${(to || '').toLowerCase()}` }, change),
        ` · ${whyAndWho(event)}`,
        event.note && [' · ', h('q', {}, event.note)],
      ),
    );
    this.el.feed.prepend(entry);
    while (this.el.feed.children.length > FEED_LIMIT) this.el.feed.lastElementChild.remove();
    this.el.feedEmpty.hidden = true;
  }
}
