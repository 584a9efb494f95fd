// Posts: an advisor writes one for their accounts and sends it for review; compliance
// reads exactly what each network will be sent and approves it (bound to its content
// hash) or rejects it with a note; everyone sees when each delivery leaves, a held one
// with the reason and the way to fix it, and a published one with its link.

import { DELIVERY_LABELS, dateTime, fill, h, networkName, newId, personName, timeEl } from './dom.js';
import { APPROVE_POST, CREATE_POST, POSTS, REJECT_POST } from './queries.js';
import { notify, notifyError, openDialog } from './ui.js';

const REVIEW_LABELS = { DRAFT: 'Draft', IN_REVIEW: 'Waiting for review', APPROVED: 'Approved', REJECTED: 'Rejected' };

export class Posts {
  /** `focusIntegration(id)` shows an account's card (where its Review menu is). */
  constructor({ api, focusIntegration }) {
    this.api = api;
    this.focusIntegration = focusIntegration;
    this.viewer = null;
    this.accounts = [];
    this.posts = [];
    this.reloading = null;
  }

  setViewer(viewer) {
    this.viewer = viewer;
    this.reviewer = viewer.roles.some((r) => r === 'COMPLIANCE' || r === 'ADMIN');
    document.getElementById('review-posts-section').hidden = !this.reviewer;
  }

  /** The viewer's own connected accounts, the ones a post may go to. */
  setAccounts(integrations) {
    const mine = integrations.filter((i) => !i.disconnectedAt && i.owner && i.owner.subject === this.viewer.subject);
    const key = (list) => list.map((i) => `${i.id}:${i.status}`).join();
    if (key(mine) === key(this.accounts)) return;
    this.accounts = mine;
    this.renderCompose();
  }

  /**
   * Reads the posts again. Events that arrive during a read cost one more read after
   * it, not one each, and none is lost: the read that follows starts after them.
   */
  reload() {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.again = false;
          const data = await this.api(POSTS);
          this.posts = data.posts.edges.map((e) => e.node);
          this.render();
        } while (this.again);
      } catch (e) {
        notifyError(e, 'Posts could not be read');
      } finally {
        this.reloading = null;
      }
    })();
    return this.reloading;
  }

  render() {
    this.renderQueue();
    this.renderSchedule();
  }

  renderCompose() {
    const form = document.getElementById('compose');
    if (!this.accounts.length) {
      fill(form, h('p', { class: 'muted' }, 'Connect an account first: posts go to your own accounts.'));
      return;
    }
    const whenId = newId('when');
    const at = h('input', { type: 'datetime-local', id: whenId, name: 'at', 'aria-label': 'Leave at', disabled: true });
    const now = h('input', { type: 'radio', name: 'when', value: 'now', checked: true, onchange: () => { at.disabled = true; } });
    const later = h('input', { type: 'radio', name: 'when', value: 'at', onchange: () => { at.disabled = false; at.focus(); } });
    fill(
      form,
      h('fieldset', { class: 'targets' },
        h('legend', {}, 'Post to'),
        this.accounts.map((a) =>
          h('label', { class: 'target' },
            h('input', { type: 'checkbox', name: 'target', value: a.id, 'data-network': a.network }),
            ` ${networkName(a.network)}: ${a.displayName}`,
            a.status === 'ACTIVE' ? null : h('span', { class: 'muted' }, ` (${a.status.toLowerCase()}: it would be held)`))),
      ),
      h('label', { for: 'post-text' }, 'Text'),
      h('textarea', { id: 'post-text', name: 'text', rows: 4, required: true }),
      h('label', { for: 'post-link' }, 'Link (optional)'),
      h('input', { id: 'post-link', name: 'link', type: 'url', placeholder: 'https://' }),
      h('label', { for: 'post-image' }, 'Image URL (Instagram needs one; LinkedIn posts take none)'),
      h('input', { id: 'post-image', name: 'image', type: 'url', placeholder: 'https://…/picture.jpg' }),
      h('fieldset', { class: 'when' },
        h('legend', {}, 'When'),
        h('label', {}, now, ' As soon as it is approved'),
        h('label', {}, later, ' At ', at)),
      h('div', {}, h('button', { type: 'submit', class: 'button primary', 'data-testid': 'send-for-review' }, 'Send for review')),
    );
    form.onsubmit = (event) => {
      event.preventDefault();
      this.create(new FormData(form), form);
    };
  }

  async create(data, form) {
    const image = String(data.get('image') || '').trim();
    const link = String(data.get('link') || '').trim();
    const input = {
      text: String(data.get('text') || ''),
      link: link || null,
      imageUrls: image ? [image] : [],
      targets: data.getAll('target'),
      publishNow: data.get('when') !== 'at',
    };
    if (!input.targets.length) {
      notify('Pick at least one account to post to.', { tone: 'error' });
      return;
    }
    if (!input.publishNow) input.scheduledAt = new Date(String(data.get('at'))).toISOString();
    try {
      await this.api(CREATE_POST, { input });
      form.reset();
      notify('Your post waits for compliance review.', { tone: 'success' });
      await this.reload();
    } catch (e) {
      notifyError(e, 'The post was not sent');
    }
  }

  renderQueue() {
    if (!this.reviewer) return;
    const waiting = this.posts.filter((p) => p.review === 'IN_REVIEW');
    document.getElementById('review-posts-count').textContent = waiting.length ? `(${waiting.length})` : '';
    fill(
      document.getElementById('review-posts'),
      waiting.length ? waiting.map((p) => this.reviewCard(p)) : h('p', { class: 'muted' }, 'No post waits for review.'),
    );
  }

  reviewCard(post) {
    const can = (action) => post.availableActions.includes(action);
    return h('article', { class: 'card post-card', 'data-testid': 'review-post', 'data-id': post.id },
      h('p', { class: 'card-owner' }, 'By ', h('strong', {}, personName(post.author))),
      h('p', { class: 'post-text' }, post.text),
      post.link && h('p', {}, 'Link: ', h('code', {}, post.link)),
      post.imageUrls.map((u) => h('p', {}, 'Image: ', h('code', {}, u))),
      h('h4', {}, 'What each network is sent'),
      h('ul', { class: 'renditions' }, post.deliveries.map((d) =>
        h('li', { 'data-testid': 'rendition', 'data-network': d.network },
          h('strong', {}, `${networkName(d.network)} · ${d.integration ? d.integration.displayName : 'an account'}`),
          h('p', { class: 'post-text' }, d.sentText),
          d.sentLink && h('p', {}, 'Link card: ', h('code', {}, d.sentLink))))),
      h('div', { class: 'card-actions' },
        can('APPROVE') && h('button', { type: 'button', class: 'button primary', 'data-testid': 'approve-post', onclick: () => this.approve(post) }, 'Approve post'),
        can('REJECT') && h('button', { type: 'button', class: 'button secondary', 'data-testid': 'reject-post', onclick: () => this.reject(post) }, 'Reject with a note'),
        !can('APPROVE') && h('p', { class: 'muted' }, 'Someone else reviews your own posts.')),
    );
  }

  async approve(post) {
    try {
      await this.api(APPROVE_POST, { id: post.id, hash: post.contentHash });
      notify('Approved: it leaves at its time.', { tone: 'success' });
    } catch (e) {
      notifyError(e, 'Not approved');
    }
    await this.reload();
  }

  reject(post) {
    openDialog({
      title: 'Reject this post',
      description: 'The author reads your note and can rewrite the post.',
      fields: [{ name: 'note', label: 'Note for the author', multiline: true, required: true }],
      confirm: 'Reject post',
      tone: 'danger',
      testid: 'reject-post-dialog',
      onConfirm: async ({ note }) => {
        await this.api(REJECT_POST, { id: post.id, note });
        notify('Rejected; the author has your note.', { tone: 'success' });
        await this.reload();
      },
    });
  }

  renderSchedule() {
    const list = document.getElementById('posts');
    fill(list, this.posts.length
      ? this.posts.map((p) => this.postCard(p))
      : h('p', { class: 'muted' }, 'No posts yet.'));
  }

  postCard(post) {
    return h('article', { class: 'card post-card', 'data-testid': 'post', 'data-id': post.id },
      h('p', { class: 'post-review' }, REVIEW_LABELS[post.review] || post.review,
        post.reviewNote && h('span', {}, ` · note: “${post.reviewNote}”`)),
      h('p', { class: 'post-text' }, post.text),
      h('ul', { class: 'deliveries' }, post.deliveries.map((d) => this.deliveryLine(d))),
    );
  }

  deliveryLine(d) {
    const account = d.integration ? d.integration.displayName : 'an account';
    return h('li', { class: `delivery delivery-${d.status.toLowerCase()}`, 'data-testid': 'delivery', 'data-status': d.status, 'data-network': d.network },
      h('strong', {}, `${networkName(d.network)} · ${account}: `),
      h('span', { 'data-testid': 'delivery-status' }, DELIVERY_LABELS[d.status] || d.status),
      d.status === 'SCHEDULED' && d.dueAt && h('span', {}, ', leaves ', timeEl(d.dueAt, dateTime(d.dueAt))),
      d.atRisk && h('span', { class: 'fact-warn' }, ' · due after the account’s sign-in ends: reconnect first'),
      d.publishedAt && h('span', {}, ' ', timeEl(d.publishedAt, dateTime(d.publishedAt))),
      d.permalink && h('a', { href: d.permalink, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'permalink' }, ' View post'),
      d.detail && h('p', { class: 'delivery-detail', 'data-testid': 'delivery-detail' }, d.detail),
      d.status === 'HELD' && d.integration && h('button', {
        type: 'button',
        class: 'button secondary',
        'data-testid': 'fix-account',
        onclick: () => this.focusIntegration(d.integration.id),
      }, `Review ${account}`),
    );
  }
}
