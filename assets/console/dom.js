// Building DOM without innerHTML (every value from the server lands as text, never as
// markup) and the words the console uses for the API's enums and times.

/**
 * `h('button', { class: 'primary', onclick }, 'Save')`. Attributes starting with `on`
 * become listeners; `false`/`null` attributes and children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value == null) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key === 'text') {
      el.textContent = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === false || child == null) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
/** A page-unique id for label/aria wiring. */
export function newId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

export const NETWORK_NAMES = {
  LINKEDIN: 'LinkedIn',
  FACEBOOK: 'Facebook',
  INSTAGRAM: 'Instagram',
  X: 'X (Twitter)',
};

export const NETWORK_MONOGRAMS = { LINKEDIN: 'in', FACEBOOK: 'f', INSTAGRAM: 'IG', X: 'X' };

export const ACCOUNT_KINDS = {
  MEMBER_PROFILE: 'Member profile',
  FACEBOOK_PAGE: 'Facebook Page',
  INSTAGRAM_PROFESSIONAL: 'Instagram professional account',
};

export const STATUS_LABELS = {
  PENDING: 'Pending',
  ACTIVE: 'Active',
  EXPIRED: 'Expired',
  INVALID: 'Invalid',
  REJECTED: 'Rejected',
};

/** An icon beside each status label, so the badge never relies on colour alone. */
const STATUS_ICONS = {
  PENDING: ['M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18', 'M12 7.5V12l3 2'],
  ACTIVE: ['M5 12.5l4.5 4.5L19 7.5'],
  EXPIRED: ['M6 3h12M6 21h12', 'M8 3c0 4.5 8 4.5 8 9s-8 4.5-8 9', 'M16 3c0 4.5-8 4.5-8 9s8 4.5 8 9'],
  INVALID: ['M12 3.5L22 20.5H2Z', 'M12 10v4.5', 'M12 17.5v.5'],
  REJECTED: ['M6.5 6.5l11 11M17.5 6.5l-11 11'],
};

function icon(paths) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'badge-icon');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const d of paths) {
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

/** What a post's delivery status says. */
export const DELIVERY_LABELS = {
  DRAFT: 'Draft',
  IN_REVIEW: 'In review',
  APPROVED: 'Approved, no time yet',
  SCHEDULED: 'Scheduled',
  PUBLISHING: 'Publishing',
  PUBLISHED: 'Published',
  REJECTED: 'Rejected',
  HELD: 'Held',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
  UNCERTAIN: 'Needs a check',
};

export const ROLE_NAMES = { ADVISOR: 'Advisor', COMPLIANCE: 'Compliance', ADMIN: 'Admin' };

/** Why a Connect or Reconnect waits while another sign-in is open. */
export const BUSY_HINT = 'Finish or cancel the open sign-in first.';

/** What the sandbox network can be told to report at the next check. */
export const SIMULATIONS = [
  ['EXPIRE', 'Expire the token'],
  ['PASSWORD_CHANGE', 'Change the password'],
  ['REVOKE_ACCESS', 'Revoke access'],
  ['LOSE_PAGE_ROLE', 'Lose the Page role'],
  ['CHECKPOINT', 'Require a security check'],
  ['OUTAGE', 'Start an outage'],
  ['REFUSE_POSTS_AS_DUPLICATES', 'Refuse posts as duplicates'],
  ['REACH_PUBLISHING_LIMIT', 'Reach the publishing limit'],
  ['RESTORE', 'Make it healthy again'],
];

export function networkName(key) {
  return NETWORK_NAMES[key] || key;
}

/** "Casey Lin", or the subject when the token carried no name. */
export function personName(user) {
  if (!user) return 'the system';
  return user.name || user.subject || 'someone';
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const STEPS = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['week', 7 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];

/** "in 12 days", "3 hours ago", "now". */
export function fromNow(iso, now = Date.now()) {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  const size = Math.abs(seconds);
  for (const [unit, length] of STEPS) {
    // Days stay days up to two weeks: "in 12 days" reads better than "in 2 weeks".
    if (unit === 'week' && size < 14 * 86400) continue;
    if (size >= length) return relative.format(Math.round(seconds / length), unit);
  }
  return size < 45 ? 'just now' : relative.format(Math.round(seconds / 60), 'minute');
}

const stamp = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const clock = new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

export function dateTime(iso) {
  return stamp.format(new Date(iso));
}

export function timeOfDay(iso) {
  return clock.format(new Date(iso));
}

/** A <time> element with the exact time as tooltip. */
export function timeEl(iso, text) {
  return h('time', { datetime: iso, title: dateTime(iso) }, text);
}

const RELATIVE = {
  plain: (iso) => fromNow(iso),
  expiry: (iso) => `${new Date(iso) > new Date() ? 'Expires' : 'Expired'} ${fromNow(iso)}`,
};

/** A <time> saying how long ago or ahead (`mode` 'plain' or 'expiry'); refreshTimes ages it. */
export function relativeTimeEl(iso, mode = 'plain') {
  return h('time', { datetime: iso, title: dateTime(iso), 'data-relative': mode }, RELATIVE[mode](iso));
}

/** Rewrites the relative times under `root` in place: no card is redrawn for it. */
export function refreshTimes(root) {
  for (const el of root.querySelectorAll('time[data-relative]')) {
    const text = (RELATIVE[el.dataset.relative] || RELATIVE.plain)(el.getAttribute('datetime'));
    if (el.textContent !== text) el.textContent = text;
  }
}

export function badge(status) {
  return h(
    'span',
    { class: `badge badge-${status.toLowerCase()}`, 'data-testid': 'status', 'data-status': status },
    icon(STATUS_ICONS[status] || []),
    STATUS_LABELS[status] || status,
  );
}
