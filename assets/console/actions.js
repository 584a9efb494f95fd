// What the buttons on a card do: the compliance decisions, notes, reconnect and
// disconnect, and the sandbox tools. Each asks the API and hands the integration it
// gets back to the board, so the card redraws in place.

import { ACCOUNT_KINDS, networkName, personName } from './dom.js';
import { GraphQLError } from './graphql.js';
import { ADD_NOTE, APPROVE, CHECK, REJECT, REVIEW, SIMULATE, TRAIL } from './queries.js';
import { checkWords } from './cards.js';
import { notify, notifyError, openDialog } from './ui.js';

/** A CONFLICT means the card changed under the person: show the new one, then say so. */
async function guarded(deps, item, run) {
  try {
    return await run();
  } catch (e) {
    if (e.code === 'CONFLICT' || e.code === 'INVALID_TRANSITION') await deps.reloadOne(item.id).catch(() => {});
    if (e.code === 'CONFLICT') throw new GraphQLError('It changed while you were looking at it. Check the card again and retry.', e.code);
    throw e;
  }
}

/**
 * The card actions. `deps`: { api, reloadOne, refreshNetworks, board(), connector() }
 * (the last two are functions because the board and connector are built with these
 * actions in hand).
 */
export function createActions(deps) {
  return {
    approve(item) {
      openDialog({
        title: `Approve ${item.displayName}?`,
        description: `${networkName(item.network)} ${ACCOUNT_KINDS[item.accountKind] || ''} connected by ${personName(item.owner)}. Once approved it is Active and may be used for business communication.`,
        fields: [{ name: 'note', label: 'Note', hint: 'Kept in the audit trail.' }],
        confirm: 'Approve',
        testid: 'approve-dialog',
        onConfirm: async ({ note }) => {
          const data = await guarded(deps, item, () => deps.api(APPROVE, { id: item.id, note: note || null, expectedVersion: item.version }));
          deps.board().upsert(data.approveIntegration);
          notify(`${item.displayName} is approved and now Active.`, { tone: 'success' });
        },
      });
    },
    reject(item) {
      openDialog({
        title: `Reject ${item.displayName}?`,
        description: `${personName(item.owner)} will see your reason and can connect another account or fix this one and reconnect.`,
        fields: [{ name: 'note', label: 'Reason for rejecting', required: true, hint: `Shown to ${personName(item.owner)} and kept in the audit trail.` }],
        confirm: 'Reject',
        tone: 'danger',
        testid: 'reject-dialog',
        onConfirm: async ({ note }) => {
          const data = await guarded(deps, item, () => deps.api(REJECT, { id: item.id, note, expectedVersion: item.version }));
          deps.board().upsert(data.rejectIntegration);
          notify(`${item.displayName} is rejected.`, { tone: 'success' });
        },
      });
    },
    /** Every event of the account, oldest first; null (and a notice) when refused. */
    async wholeHistory(item) {
      try {
        return (await deps.api(TRAIL, { id: item.id })).auditTrail;
      } catch (e) {
        notifyError(e);
        return null;
      }
    },
    revoke(item) {
      openDialog({
        title: `Revoke the approval of ${item.displayName}?`,
        description: `It is Active now. Revoking withdraws the approval: it stops publishing (its scheduled posts are held) and ${personName(item.owner)} sees your note and can resubmit it by reconnecting.`,
        fields: [{ name: 'note', label: 'Why the approval is revoked', required: true, hint: `Shown to ${personName(item.owner)} and kept in the audit trail.` }],
        confirm: 'Revoke approval',
        tone: 'danger',
        testid: 'revoke-dialog',
        onConfirm: async ({ note }) => {
          const data = await guarded(deps, item, () => deps.api(REJECT, { id: item.id, note, expectedVersion: item.version }));
          deps.board().upsert(data.rejectIntegration);
          notify(`The approval of ${item.displayName} is revoked.`, { tone: 'success' });
        },
      });
    },
    async addNote(item, body) {
      try {
        await deps.api(ADD_NOTE, { integrationId: item.id, body });
        await deps.reloadOne(item.id);
      } catch (e) {
        notifyError(e, 'The note was not saved');
        throw e;
      }
    },
    reconnect(item) {
      deps.connector().reconnect(item);
    },
    disconnect(item) {
      openDialog({
        title: `Disconnect ${item.displayName}?`,
        description: `socialgate stops using this ${networkName(item.network)} account and destroys its sign-in. Its history stays in the audit trail.`,
        confirm: 'Disconnect',
        tone: 'danger',
        testid: 'disconnect-dialog',
        onConfirm: async () => {
          await deps.api(REVIEW, { id: item.id, action: 'DISCONNECT' });
          deps.board().remove(item.id);
          deps.refreshNetworks();
          notify(`${item.displayName} is disconnected.`, { tone: 'success' });
        },
      });
    },
    async simulate(item, event, label) {
      try {
        await deps.api(SIMULATE, { integrationId: item.id, event });
        notify(`Sandbox ${networkName(item.network)}: “${label}” is set for ${item.displayName}. It shows at the next check; press Check now to see it at once.`, {
          key: `card:${item.id}`,
          about: item.id,
        });
      } catch (e) {
        notifyError(e, 'Simulation not set');
      }
    },
    async check(item) {
      try {
        const data = await deps.api(CHECK, { id: item.id });
        const now = data.checkIntegration;
        deps.board().upsert(now);
        // Said from the same fields the card shows, so the two never disagree.
        notify(checkWords(now), { key: `card:${now.id}`, about: now.id });
      } catch (e) {
        notifyError(e, 'Check failed');
      }
    },
  };
}
