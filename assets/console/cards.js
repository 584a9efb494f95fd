// One integration as a card: who and where, its status in words and colour, what to
// do about it, and the actions the server says the viewer may take now.

import {
  ACCOUNT_KINDS,
  BUSY_HINT,
  DELIVERY_LABELS,
  NETWORK_MONOGRAMS,
  SIMULATIONS,
  STATUS_LABELS,
  badge,
  dateTime,
  fill,
  h,
  networkName,
  newId,
  personName,
  relativeTimeEl,
  timeEl,
} from './dom.js';
import { CARD_NEWEST } from './queries.js';

const REASON_WORDS = {
  CONNECTED: 'Connected',
  COMPLIANCE_APPROVED: 'Approved by compliance',
  COMPLIANCE_REJECTED: 'Rejected by compliance',
  RECONNECTED: 'Reconnected',
  PERMISSIONS_REDUCED: 'Fewer permissions than approved',
  DISCONNECTED: 'Disconnected',
  TOKEN_EXPIRED: 'Sign-in expired',
  DATA_ACCESS_EXPIRED: 'Data access ended',
  EXPIRY_WITHDRAWN: 'Expired in error, restored',
  REFRESH_EXPIRED: 'Renewal period over',
  PASSWORD_CHANGED: 'Password changed',
  APP_DEAUTHORIZED: 'App removed at the network',
  DATA_DELETION_REQUESTED: 'Data deletion requested',
  CHECKPOINT_REQUIRED: 'Network security check',
  USER_UNCONFIRMED: 'Account not confirmed',
  TOKEN_INVALIDATED: 'Sign-in invalidated',
  PAGE_ROLE_LOST: 'Page role lost',
  ACCESS_REVOKED: 'Access revoked',
  PERMISSION_REVOKED: 'Permission revoked',
  ACCOUNT_UNLINKED: 'Account unlinked',
  REFRESH_REVOKED: 'Renewal refused',
};

/** Reasons that are a person's decision, worded to be followed by who made it. */
const DECISION_WORDS = {
  COMPLIANCE_APPROVED: 'Approved',
  COMPLIANCE_REJECTED: 'Rejected',
};

/**
 * Why a status changed and who changed it, in one phrase for the history and the
 * activity feed alike: a decision names who made it ("Approved by Casey Lin"), not the
 * role twice; anything else says why, then who ("Sign-in expired by the system").
 */
export function whyAndWho(event) {
  const decided = event.actor && DECISION_WORDS[event.reason];
  if (decided) return `${decided} by ${personName(event.actor)}`;
  return `${reasonWords(event.reason)} ${event.actor ? `by ${personName(event.actor)}` : 'by the system'}`;
}

export function reasonWords(reason) {
  if (!reason) return '';
  return REASON_WORDS[reason] || reason.charAt(0) + reason.slice(1).toLowerCase().replace(/_/g, ' ');
}

const OUTCOME_WORDS = {
  OK: 'working',
  EXPIRED: 'expired',
  INVALID: 'access withdrawn',
  THROTTLED: 'network busy, will retry',
  FAILED: 'no answer, will retry',
};

/**
 * What the last check found, in words, from the fields the card shows: the network
 * answered (and the account works, or why not), or it did not (and the status stays).
 */
export function checkWords(item) {
  const network = networkName(item.network);
  const status = STATUS_LABELS[item.status] || item.status;
  switch (item.lastCheckOutcome) {
    case 'OK':
      return item.status === 'PENDING'
        ? `${network} answered: ${item.displayName} works. It still waits for compliance review.`
        : `${network} answered: ${item.displayName} works.`;
    case 'FAILED':
      return `${network} did not answer for ${item.displayName}; socialgate tries again. It stays ${status} meanwhile.`;
    case 'THROTTLED':
      return `${network} is busy and asked to wait; socialgate tries again later. ${item.displayName} stays ${status}.`;
    default:
      return `${network} answered for ${item.displayName}: ${item.statusExplanation}`;
  }
}

/** Menus open one at a time and close on Escape or a click elsewhere. */
let openMenu = null;
/** Each menu's opener, so a redrawn card can reopen the menu that was open. */
const menuOpeners = new WeakMap();
function closeMenu(returnFocus = false) {
  if (!openMenu) return;
  const { toggle, list } = openMenu;
  list.hidden = true;
  toggle.setAttribute('aria-expanded', 'false');
  if (returnFocus) toggle.focus();
  openMenu = null;
}
document.addEventListener('click', (event) => {
  if (openMenu && !openMenu.root.contains(event.target)) closeMenu();
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && openMenu) closeMenu(true);
});

/**
 * A disclosure button that shows a short list of action buttons. Each item has a
 * `key` (its focus key is `${focusKey}:${key}`, stable across redraws) and may be
 * `held` with a `detail` saying why it cannot be used now.
 */
function menu(label, items, { focusKey, testid }) {
  const listId = newId('menu');
  const toggle = h(
    'button',
    { type: 'button', class: 'button secondary menu-toggle', 'aria-expanded': 'false', 'aria-controls': listId, 'data-focus': focusKey },
    label,
    h('span', { class: 'caret', 'aria-hidden': 'true' }, '▾'),
  );
  const list = h('div', { id: listId, class: 'menu-list', hidden: true, 'data-testid': testid });
  const root = h('div', { class: 'menu' }, toggle, list);
  for (const item of items) {
    list.append(
      h(
        'button',
        {
          type: 'button',
          class: `menu-item ${item.tone || ''}`,
          'data-focus': `${focusKey}:${item.key}`,
          // Still focusable, so a keyboard user hears why it waits.
          'aria-disabled': item.held ? 'true' : null,
          onclick: () => {
            if (item.held) return;
            // Focus goes back to the toggle first, so a dialog the item opens returns it there.
            closeMenu(true);
            item.onSelect();
          },
        },
        item.label,
        item.detail && h('span', { class: 'menu-detail' }, item.detail),
      ),
    );
  }
  // Tabbing away closes it. Focus going nowhere (a click in browsers that do not focus
  // buttons) is left to the click handler, or the click on an item would be lost.
  root.addEventListener('focusout', (event) => {
    const to = event.relatedTarget;
    if (openMenu && openMenu.root === root && to && !root.contains(to)) closeMenu();
  });
  const open = (focusFirst) => {
    closeMenu();
    list.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    openMenu = { root, toggle, list };
    if (focusFirst) list.querySelector('button').focus();
  };
  menuOpeners.set(root, open);
  toggle.addEventListener('click', () => {
    if (openMenu && openMenu.root === root) closeMenu();
    else open(true);
  });
  return root;
}

function historyItem(event) {
  const who = event.actor ? `by ${personName(event.actor)}` : 'by the system';
  let what;
  if (event.kind === 'NOTE') what = `Note ${who}`;
  else if (event.kind === 'REFRESH') what = 'Sign-in renewed at the network';
  else if (event.kind === 'DELIVERY') what = `A post: ${(DELIVERY_LABELS[event.deliveryStatus] || event.deliveryStatus || '').toLowerCase()} ${who}`;
  else if (event.kind === 'TOKEN_READ') what = `Access token read by the host's own code ${who}`;
  else {
    const from = event.fromStatus ? STATUS_LABELS[event.fromStatus] : 'New';
    const to = STATUS_LABELS[event.toStatus] || event.toStatus;
    what = `${from} → ${to} · ${whyAndWho(event)}`;
  }
  return h(
    'li',
    { class: 'history-item' },
    h('span', { class: 'history-when' }, timeEl(event.occurredAt, dateTime(event.occurredAt))),
    h('span', { class: 'history-what' }, what, event.selfApproval ? ' (self-approval)' : ''),
    event.note && h('q', { class: 'history-note' }, event.note),
  );
}

/**
 * The card's newest history entries; when there may be more, a button that loads the
 * whole audit trail of the account (its posts' deliveries included) in their place.
 */
function historySection(item, act) {
  const list = h('ol', { class: 'history', reversed: true }, [...item.history].reverse().map(historyItem));
  const partial = item.history.length >= CARD_NEWEST;
  const summary = h('summary', {}, partial ? `History (newest ${item.history.length})` : `History (${item.history.length})`);
  const more =
    partial &&
    h(
      'button',
      {
        type: 'button',
        class: 'button ghost history-more',
        onclick: async (e) => {
          const button = e.currentTarget;
          button.disabled = true;
          const trail = await act.wholeHistory(item);
          if (!trail) {
            button.disabled = false;
            return;
          }
          fill(list, ...[...trail].reverse().map(historyItem));
          summary.textContent = `History (${trail.length})`;
          button.remove();
        },
      },
      'Show the whole history',
    );
  return h('details', { class: 'card-more', 'data-section': 'history' }, summary, list, more);
}

function noteItem(note) {
  return h(
    'li',
    { class: 'note' },
    h('p', { class: 'note-body' }, note.body),
    h('p', { class: 'note-meta' }, personName(note.author), ' · ', relativeTimeEl(note.createdAt)),
  );
}

function facts(item) {
  const rows = [];
  const usable = item.status === 'PENDING' || item.status === 'ACTIVE';
  if (usable && item.expiresAt) {
    rows.push(
      h(
        'li',
        { class: item.expiresSoon ? 'fact fact-warn' : 'fact', 'data-testid': 'expiry' },
        relativeTimeEl(item.expiresAt, 'expiry'),
        item.expiresSoon && h('span', { class: 'chip chip-warn' }, 'Expires soon'),
      ),
    );
  }
  if (item.lastCheckedAt) {
    // A check from before the current status (say, the one that found it expired, seen
    // after a reconnect) no longer describes it.
    const current = new Date(item.lastCheckedAt) >= new Date(item.statusChangedAt);
    const outcome = current ? OUTCOME_WORDS[item.lastCheckOutcome] || '' : '';
    rows.push(
      h(
        'li',
        { class: 'fact' },
        'Checked ',
        relativeTimeEl(item.lastCheckedAt),
        outcome && `: ${outcome}`,
        item.consecutiveFailures > 1 && ` (${item.consecutiveFailures} tries without an answer)`,
      ),
    );
  }
  rows.push(h('li', { class: 'fact' }, 'Connected ', relativeTimeEl(item.connectedAt)));
  return h('ul', { class: 'facts' }, rows);
}

/**
 * The card of `item`. `ctx`: { viewer, devMode, showOwner, actions, waitingFor, busy,
 * onCancelConnect } where actions holds the callbacks (approve, reject, reconnect,
 * disconnect, addNote, simulate, check), each taking the integration, waitingFor is
 * the integration whose reconnect sign-in is open and busy says a sign-in is open
 * (so Reconnect waits).
 */
export function renderCard(item, ctx) {
  const titleId = newId('card-title');
  const can = new Set(item.availableActions);
  const act = ctx.actions;
  const buttons = [];
  if (can.has('APPROVE')) {
    buttons.push(h('button', { type: 'button', class: 'button primary', 'data-focus': 'approve', onclick: () => act.approve(item) }, 'Approve'));
  }
  if (can.has('REJECT') && item.status === 'ACTIVE') {
    // Rejecting an approved account withdraws the approval: say so on the button.
    buttons.push(h('button', { type: 'button', class: 'button danger-outline', 'data-focus': 'reject', onclick: () => act.revoke(item) }, 'Revoke approval'));
  } else if (can.has('REJECT')) {
    buttons.push(h('button', { type: 'button', class: 'button danger-outline', 'data-focus': 'reject', onclick: () => act.reject(item) }, 'Reject'));
  }
  const review = [];
  if (can.has('RECONNECT')) {
    review.push({
      key: 'reconnect',
      label: 'Reconnect',
      detail: ctx.busy ? BUSY_HINT : `Sign in at ${networkName(item.network)} again`,
      held: ctx.busy,
      onSelect: () => act.reconnect(item),
    });
  }
  if (can.has('DISCONNECT')) {
    review.push({ key: 'disconnect', label: 'Disconnect', detail: 'Remove it; its history is kept', tone: 'danger', onSelect: () => act.disconnect(item) });
  }
  if (review.length) buttons.push(menu('Review', review, { focusKey: 'review', testid: 'review-menu' }));
  const mine = ctx.viewer && item.owner.subject === ctx.viewer.subject;
  const watched = item.status === 'PENDING' || item.status === 'ACTIVE';
  // Only what this network can report: a LinkedIn profile has no Page role to lose.
  const offered = new Set(ctx.simulations ? ctx.simulations(item.network) : []);
  const simulations = SIMULATIONS.filter(([event]) => offered.has(event));
  if (ctx.devMode && mine && watched && !item.disconnectedAt && simulations.length) {
    buttons.push(
      menu(
        'Simulate',
        simulations.map(([event, label]) => ({ key: event, label, onSelect: () => act.simulate(item, event, label) })),
        { focusKey: 'simulate', testid: 'simulate-menu' },
      ),
      h('button', { type: 'button', class: 'button secondary', 'data-focus': 'check', onclick: () => act.check(item) }, 'Check now'),
    );
  }

  const notes = item.complianceNotes;
  const noteForm = can.has('ADD_NOTE') ? addNoteForm(item, act) : null;
  const showNotes = notes.length > 0 || noteForm;
  const kind = ACCOUNT_KINDS[item.accountKind] || item.accountKind;

  return h(
    'article',
    {
      class: `card card-${item.status.toLowerCase()}`,
      'aria-labelledby': titleId,
      'data-testid': 'integration-card',
      'data-integration-id': item.id,
      'data-network': item.network,
      'data-status': item.status,
    },
    h(
      'header',
      { class: 'card-head' },
      h('span', { class: `monogram monogram-${item.network.toLowerCase()}`, 'aria-hidden': 'true' }, NETWORK_MONOGRAMS[item.network]),
      h(
        'div',
        { class: 'card-title' },
        h('h3', { id: titleId }, item.displayName),
        h('p', { class: 'card-sub' }, `${networkName(item.network)} · ${kind}`),
        ctx.showOwner && h('p', { class: 'card-owner', 'data-testid': 'owner' }, 'Owner: ', h('strong', {}, personName(item.owner))),
      ),
      badge(item.status),
    ),
    h('p', { class: 'card-explanation', 'data-testid': 'explanation' }, item.statusExplanation),
    item.statusRemedy &&
      h('p', { class: 'card-remedy', 'data-testid': 'remedy' }, h('strong', {}, 'What to do: '), item.statusRemedy),
    facts(item),
    item.profileUrl &&
      h('p', { class: 'card-link' }, h('a', { href: item.profileUrl, target: '_blank', rel: 'noopener noreferrer' }, 'Open on ', networkName(item.network), h('span', { class: 'visually-hidden' }, ' (new tab)'))),
    ctx.waitingFor === item.id
      ? h(
          'div',
          { class: 'card-actions' },
          h('p', { class: 'waiting' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Waiting for sign-in…'),
          h('button', { type: 'button', class: 'button ghost', 'data-focus': 'review', onclick: () => ctx.onCancelConnect() }, 'Cancel sign-in'),
        )
      : buttons.length > 0 && h('div', { class: 'card-actions' }, buttons),
    historySection(item, act),
    showNotes &&
      h(
        'details',
        { class: 'card-more', 'data-section': 'notes' },
        h('summary', {}, notes.length >= CARD_NEWEST ? `Compliance notes (newest ${notes.length})` : `Compliance notes (${notes.length})`),
        notes.length >= CARD_NEWEST && h('p', { class: 'muted' }, 'Older notes are in the whole history.'),
        notes.length ? h('ul', { class: 'notes' }, notes.map(noteItem)) : h('p', { class: 'muted' }, 'No notes yet.'),
        noteForm,
      ),
  );
}

function addNoteForm(item, act) {
  const id = newId('note');
  const area = h('textarea', { id, name: 'body', rows: 2, maxlength: 2000, required: true, 'data-focus': 'note' });
  const submit = h('button', { type: 'submit', class: 'button secondary' }, 'Add note');
  return h(
    'form',
    {
      class: 'note-form',
      onsubmit: async (event) => {
        event.preventDefault();
        const body = area.value.trim();
        if (!body) {
          area.focus();
          return;
        }
        submit.disabled = true;
        // Cleared first: the card is redrawn with the new note before this returns.
        area.value = '';
        try {
          await act.addNote(item, body);
        } catch {
          area.value = body;
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('label', { for: id }, 'Add a note'),
    area,
    submit,
  );
}

/**
 * Puts `next` in place of `prev`, keeping which sections and menu were open and
 * where focus was, so a live update never yanks the person's place.
 */
export function swapCard(prev, next) {
  for (const details of prev.querySelectorAll('details[open]')) {
    const twin = next.querySelector(`details[data-section="${details.dataset.section}"]`);
    if (twin) twin.open = true;
  }
  const active = document.activeElement;
  const focusKey = prev.contains(active) && active.dataset ? active.dataset.focus : null;
  const expanded = prev.querySelector('.menu-toggle[aria-expanded="true"]');
  const menuKey = expanded && expanded.dataset.focus;
  const draft = prev.querySelector('textarea[data-focus="note"]');
  const nextDraft = next.querySelector('textarea[data-focus="note"]');
  if (draft && nextDraft) nextDraft.value = draft.value;
  prev.replaceWith(next);
  const byKey = (key) => next.querySelector(`[data-focus="${CSS.escape(key)}"]`);
  const toggle = menuKey && next.querySelector(`.menu-toggle[data-focus="${CSS.escape(menuKey)}"]`);
  if (toggle) menuOpeners.get(toggle.parentElement)(false);
  else if (menuKey) closeMenu();
  if (focusKey) {
    // A menu item that is gone leaves focus on its menu's button.
    const target = byKey(focusKey) || byKey(focusKey.split(':')[0]);
    if (target) target.focus();
  }
}

/** A placeholder card of the same height while the list loads. */
export function skeletonCard() {
  return h(
    'div',
    { class: 'card skeleton', 'aria-hidden': 'true' },
    h('div', { class: 'sk sk-head' }),
    h('div', { class: 'sk sk-line' }),
    h('div', { class: 'sk sk-line short' }),
  );
}
