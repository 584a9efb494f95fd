// Signing in at a network in a popup. The server's callback page hands the result to
// this window twice (postMessage to the opener, and a BroadcastChannel for a popup
// that lost its opener); whichever comes first settles the attempt and the other is
// ignored. The completion code in that message is what finishes the connection.

import { BUSY_HINT, h, networkName } from './dom.js';
import { ATTEMPT, COMPLETE, CONNECT, REVIEW } from './queries.js';
import { notify, notifyError, openDialog } from './ui.js';

const POPUP_NAME = 'socialgate-connect';
const POPUP_FEATURES = 'popup,width=520,height=680';
const MESSAGE_TYPE = 'socialgate:connection';
/** How long a closed popup's message may still be on its way. */
const CLOSED_GRACE_MS = 1500;

const ACCOUNT_WORDS = { FACEBOOK: 'Page', INSTAGRAM: 'account', LINKEDIN: 'profile' };

/**
 * One sign-in at a time: a second popup would steal the first one's window, and the
 * person would not know which of two sign-ins they were finishing.
 */
export class Connector {
  /**
   * `api(query, variables)` runs an operation; `onConnected(integration, attempt)`
   * receives the connected integration; `onWaiting(attempt | null)` tells which
   * sign-in is open, to show it, offer to cancel it and hold back other sign-ins.
   */
  constructor({ api, onConnected, onWaiting, onChanged }) {
    this.api = api;
    this.onConnected = onConnected;
    this.onWaiting = onWaiting;
    this.onChanged = onChanged;
    this.current = null;
    // Bumped when the person changes: answers for an attempt of the previous
    // person are dropped, never completed with the new person's token.
    this.generation = 0;
    this.popups = 0;
    window.addEventListener('message', (event) => this.fromWindow(event));
    if ('BroadcastChannel' in window) {
      // A channel only carries messages of this origin, from pages of this server.
      this.channel = new BroadcastChannel(MESSAGE_TYPE);
      this.channel.addEventListener('message', (event) => this.receive(event.data));
    }
  }

  /**
   * Opens the popup now, inside the click, so no popup blocker stops it, and holds
   * back every other sign-in until this one ends.
   */
  begin(network, integrationId) {
    if (this.current) {
      notify(BUSY_HINT, { code: 'SIGN_IN_OPEN' });
      if (!this.current.popup.closed) this.current.popup.focus();
      return null;
    }
    this.popups += 1;
    const popup = window.open('', `${POPUP_NAME}-${this.popups}`, POPUP_FEATURES);
    if (!popup) {
      notify('Your browser blocked the sign-in window. Allow pop-ups for this page and try again.', {
        tone: 'error',
        code: 'POPUP_BLOCKED',
      });
      return null;
    }
    const attempt = { attemptId: null, network, integrationId, popup, generation: this.generation, done: false };
    this.current = attempt;
    this.onWaiting(attempt);
    attempt.watch = setInterval(() => {
      if (!attempt.popup.closed || attempt.closedAt) return;
      attempt.closedAt = Date.now();
      setTimeout(() => this.popupClosed(attempt), CLOSED_GRACE_MS);
    }, 400);
    return attempt;
  }

  /** Sends the open popup to the network once the server has started the attempt. */
  go(attempt, attemptId, url) {
    attempt.attemptId = attemptId;
    attempt.popup.location.href = url;
  }

  /** Connects a new account of `network` (a Network enum value). */
  async connect(network) {
    const attempt = this.begin(network, null);
    if (!attempt) return;
    try {
      const data = await this.api(CONNECT, { network });
      // Cancelled, or the person changed, while the server was asked.
      if (this.current !== attempt) return;
      const { attemptId, authorizationUrl } = data.connectIntegration;
      this.go(attempt, attemptId, authorizationUrl);
    } catch (e) {
      if (this.current !== attempt) return;
      this.abandon(attempt);
      notifyError(e, `${networkName(network)} could not be connected`);
    }
  }

  /** Signs in again for an existing integration (Review → Reconnect). */
  async reconnect(integration) {
    const attempt = this.begin(integration.network, integration.id);
    if (!attempt) return;
    try {
      const data = await this.api(REVIEW, { id: integration.id, action: 'RECONNECT' });
      if (this.current !== attempt) return;
      const { attemptId, authorizationUrl } = data.reviewIntegration;
      if (!authorizationUrl || !attemptId) throw new Error('The server offered no sign-in for this reconnect.');
      this.go(attempt, attemptId, authorizationUrl);
    } catch (e) {
      if (this.current !== attempt) return;
      this.abandon(attempt);
      notifyError(e, `${integration.displayName} could not be reconnected`);
    }
  }

  /** Stops waiting for `attempt` and closes its popup. */
  abandon(attempt) {
    clearInterval(attempt.watch);
    attempt.done = true;
    if (!attempt.popup.closed) attempt.popup.close();
    if (this.current === attempt) {
      this.current = null;
      this.onWaiting(null);
    }
  }

  cancel() {
    if (!this.current) return;
    const { network } = this.current;
    this.abandon(this.current);
    notify(`Sign-in at ${networkName(network)} cancelled. Nothing was connected.`);
  }

  /** The person changed or signed out: their open sign-in ends quietly. */
  reset() {
    this.generation += 1;
    if (this.current) this.abandon(this.current);
  }

  stale(attempt) {
    return attempt.generation !== this.generation;
  }

  /** The callback page posts from this server's origin, and only from our popup. */
  fromWindow(event) {
    if (event.origin !== location.origin) return;
    const attempt = this.current;
    if (!attempt || event.source !== attempt.popup) return;
    this.receive(event.data);
  }

  receive(message) {
    if (!message || typeof message !== 'object' || message.type !== MESSAGE_TYPE) return;
    const attempt = this.current;
    // Only the attempt this tab started: another tab's broadcast, a stale callback
    // (no attempt id) or a forged message settles nothing.
    if (!attempt || !attempt.attemptId || message.attemptId !== attempt.attemptId) return;
    clearInterval(attempt.watch);
    attempt.done = true;
    this.current = null;
    this.onWaiting(null);
    this.settle(attempt, message);
  }

  async settle(attempt, message) {
    const name = networkName(attempt.network);
    if (message.status === 'cancelled') {
      notify(message.message || 'You cancelled the sign-in; nothing was connected.', { code: 'CANCELLED' });
      return;
    }
    if (message.status !== 'confirm') {
      notify(message.message || `${name} refused the sign-in.`, {
        tone: 'error',
        code: message.code || 'PROVIDER_ERROR',
        title: `${name} was not connected`,
      });
      this.onChanged();
      return;
    }
    try {
      let accountId = null;
      // A reconnect is bound to its own account: the server completes it with that
      // one, whatever else the login manages, so there is nothing to choose.
      if (!attempt.integrationId && (message.accounts == null || message.accounts > 1)) {
        const { connectionAttempt } = await this.api(ATTEMPT, { id: attempt.attemptId });
        if (this.stale(attempt)) return;
        if (connectionAttempt && connectionAttempt.status === 'AWAITING_SELECTION' && connectionAttempt.candidates.length) {
          accountId = await this.choose(attempt, connectionAttempt.candidates);
          if (this.stale(attempt)) return;
          if (!accountId) {
            notify(`Nothing was connected: no ${ACCOUNT_WORDS[attempt.network] || 'account'} was chosen.`);
            return;
          }
        }
      }
      const data = await this.api(COMPLETE, {
        attemptId: attempt.attemptId,
        completionCode: message.completionCode,
        accountId,
      });
      if (this.stale(attempt)) return;
      this.onConnected(data.completeConnection, attempt);
    } catch (e) {
      if (this.stale(attempt)) return;
      notifyError(e, `${name} was not connected`);
      this.onChanged();
    }
  }

  /** Asks which of several accounts to connect; resolves with its id or null. */
  async choose(attempt, candidates) {
    const word = ACCOUNT_WORDS[attempt.network] || 'account';
    let chosen = null;
    const options = candidates.map((c) =>
      h(
        'label',
        { class: 'choice' },
        h('input', { type: 'radio', name: 'accountId', value: c.id }),
        h(
          'span',
          { class: 'choice-text' },
          h('span', { class: 'choice-name' }, c.name),
          c.profileUrl && h('span', { class: 'choice-detail' }, c.profileUrl.replace(/^https?:\/\//, '')),
        ),
      ),
    );
    const list = h(
      'fieldset',
      { class: 'choices', 'data-testid': 'account-choices' },
      h('legend', { class: 'visually-hidden' }, `${networkName(attempt.network)} ${word}s`),
      options,
    );
    const ok = await openDialog({
      title: `Choose the ${networkName(attempt.network)} ${word} to connect`,
      description: `You manage ${candidates.length} ${word}s. Connect the one you use for your advisory business; compliance reviews it before it goes live.`,
      body: list,
      confirm: `Connect ${word}`,
      testid: 'choose-account',
      onConfirm: async (values) => {
        if (!values.accountId) throw new Error(`Choose one of the ${word}s first.`);
        chosen = values.accountId;
      },
    });
    return ok ? chosen : null;
  }

  /** The popup closed without a message: ask the server where the attempt stands. */
  async popupClosed(attempt) {
    if (attempt.done) return;
    this.abandon(attempt);
    const name = networkName(attempt.network);
    if (!attempt.attemptId) {
      notify(`The sign-in window closed before ${name} was reached. Nothing was connected.`);
      return;
    }
    try {
      const { connectionAttempt } = await this.api(ATTEMPT, { id: attempt.attemptId });
      if (this.stale(attempt)) return;
      const status = connectionAttempt && connectionAttempt.status;
      if (status === 'FAILED' && connectionAttempt.failure) {
        notify(connectionAttempt.failure, {
          tone: 'error',
          code: connectionAttempt.failureCode,
          title: `${name} was not connected`,
        });
      } else if (status === 'COMPLETED') {
        this.onChanged();
      } else if (status === 'AWAITING_CONFIRMATION' || status === 'AWAITING_SELECTION') {
        // Only the popup's message carries the completion code; without it, start over.
        notify('You signed in, but the sign-in window closed before it could hand the result to this page. Connect again to finish.');
      } else {
        notify('The sign-in window closed before it finished. Nothing was connected; try again when ready.');
      }
    } catch (e) {
      if (!this.stale(attempt)) notifyError(e);
    }
  }
}
