// Runs the GraphQL over HTTP conformance suite (graphql-http's serverAudits) against
// SOCIALGATE_GRAPHQL_URL with the bearer token SOCIALGATE_TOKEN, prints every audit
// that is not ok, and exits non-zero if any is not: errors (MUST), warnings (SHOULD)
// and notices (MAY) alike.
import { serverAudits } from 'graphql-http';

const url = process.env.SOCIALGATE_GRAPHQL_URL;
const token = process.env.SOCIALGATE_TOKEN;
if (!url || !token) {
  console.error('set SOCIALGATE_GRAPHQL_URL and SOCIALGATE_TOKEN');
  process.exit(2);
}

const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers || {});
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

let passed = 0;
let failed = 0;
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  if (result.status === 'ok') {
    passed += 1;
  } else {
    failed += 1;
    console.log(`${result.status} ${audit.id} ${audit.name}: ${result.reason}`);
  }
}
console.log(`graphql-http serverAudits: ${passed} ok, ${failed} not ok`);
process.exit(failed === 0 ? 0 : 1);
