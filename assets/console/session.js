// Who the console acts as. In dev mode the server mints tokens for two sample people
// at ../dev/token. Under a host application that signs people in its own way (a
// session cookie), the host vouches for each request and no token is needed.
// Elsewhere a person pastes a token. Tokens live in sessionStorage (this tab only,
// gone when it closes) and never in the URL.

const TOKEN_KEY = 'socialgate.console.token';
const PERSON_KEY = 'socialgate.console.person';

export const DEV_PEOPLE = [
  { key: 'advisor', role: 'Advisor', name: 'Alex Rivera' },
  { key: 'compliance', role: 'Compliance', name: 'Casey Lin' },
];

export class Session {
  constructor() {
    this.devTokenUrl = new URL('../dev/token', location.href).href;
    this.token = null;
    this.person = null;
    /** null until known; then whether ../dev/token answered. */
    this.devMode = null;
    /** What the dev token endpoint said about the person ({ name, subject, roles }). */
    this.identity = null;
    /** Why the server refused a dev token, when it has the endpoint but said no. */
    this.refusal = null;
    /** Whether the host's own sign-in vouches for this browser (no token needed). */
    this.host = false;
    /** What the server said when asked who this browser is without a token. */
    this.anonymous = null;
  }

  /** Finds out whether dev tokens are offered and gets a token if it can. */
  async init() {
    const person = sessionStorage.getItem(PERSON_KEY) || 'advisor';
    try {
      if (await this.mint(person)) return;
    } catch (e) {
      if (!e.refused) throw e;
      this.refusal = e.message;
    }
    this.devMode = false;
    this.token = sessionStorage.getItem(TOKEN_KEY);
    if (!this.token) await this.askHost();
  }

  /**
   * Asks the server who this browser is without a token: under a host that signs
   * people in with a cookie, the answer is the person (the host vouched for them).
   */
  async askHost() {
    try {
      const response = await fetch(new URL('../graphql', location.href).href, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ query: '{ viewer { id } }' }),
        credentials: 'same-origin',
      });
      const body = await response.json();
      this.host = !!(body && body.data && body.data.viewer);
      if (!this.host && body && Array.isArray(body.errors) && body.errors[0]) this.anonymous = body.errors[0].message;
    } catch {
      this.host = false;
    }
  }

  /**
   * Mints a dev token for `person`; false when the server has no such endpoint (not
   * in dev mode). A refusal (say, asked through a proxy) throws with the server's
   * reason and `refused` set.
   */
  async mint(person) {
    let response;
    try {
      response = await fetch(this.devTokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ person }),
        credentials: 'omit',
      });
    } catch {
      throw new Error('Cannot reach the server. Check your connection and reload.');
    }
    if (response.status === 404) return false;
    let body = null;
    try {
      body = await response.json();
    } catch {
      // Not the endpoint's JSON (a proxy's page): said below by the status alone.
    }
    if (!response.ok || !body || !body.token) {
      const why = body && typeof body.error === 'string' ? body.error : `the server answered ${response.status}`;
      throw Object.assign(new Error(`No sample token: ${why}.`), { refused: true });
    }
    this.devMode = true;
    this.token = body.token;
    this.person = body.person || person;
    this.identity = { name: body.name, subject: body.subject, roles: body.roles || [] };
    sessionStorage.setItem(PERSON_KEY, this.person);
    return true;
  }

  /** A fresh token after the server refused the old one; false when none can be had. */
  async renew() {
    if (!this.devMode) return false;
    try {
      return await this.mint(this.person);
    } catch {
      return false;
    }
  }

  /** Whether the token's own `exp` has passed (read, not verified: only to word a refusal). */
  expired(now = Date.now()) {
    try {
      const part = this.token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const { exp } = JSON.parse(atob(part));
      return typeof exp === 'number' && exp * 1000 <= now;
    } catch {
      return false;
    }
  }

  usePastedToken(token) {
    this.token = token.replace(/^Bearer\s+/i, '').trim();
    sessionStorage.setItem(TOKEN_KEY, this.token);
  }

  signOut() {
    this.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
  }
}
