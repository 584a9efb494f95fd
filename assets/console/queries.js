// The operations the console sends. One fragment describes a card, so a list page, a
// mutation's answer and a live event all refresh a card with the same fields.

/** How many of the newest notes and history entries a card loads; the rest on demand. */
export const CARD_NEWEST = 10;

const HISTORY_ENTRY = `
fragment HistoryEntry on AuditEvent {
  sequence kind fromStatus toStatus reason note selfApproval occurredAt deliveryStatus
  actor { id name subject }
}`;

const CARD = `
fragment Card on Integration {
  id version network accountKind displayName profileUrl
  owner { id name subject }
  status statusReason statusExplanation statusRemedy statusChangedAt connectedAt approvedAt
  expiresAt expiresSoon lastCheckedAt lastCheckOutcome consecutiveFailures disconnectedAt
  availableActions
  complianceNotes(last: ${CARD_NEWEST}) { id body createdAt author { id name subject } }
  history(last: ${CARD_NEWEST}) { ...HistoryEntry }
}
${HISTORY_ENTRY}`;

export const VIEWER = `
query Viewer {
  viewer { id subject roles user { name } tenant { externalId complianceMode } }
  networks { key network supported unsupportedReason accountKind description limit used sandboxSimulations }
}`;

export const NETWORKS = `
query Networks {
  networks { key network supported unsupportedReason accountKind description limit used sandboxSimulations }
}`;

export const INTEGRATIONS = `
query Integrations($after: String) {
  integrations(first: 25, after: $after) {
    edges { node { ...Card } }
    pageInfo { hasNextPage endCursor }
  }
}
${CARD}`;

export const STATUS_FEED = `
subscription StatusFeed($after: String) {
  integrationStatusChanged(after: $after) {
    cursor sequence previousStatus status reason note occurredAt
    actor { id name subject }
    integration { ...Card }
  }
}
${CARD}`;

export const CONNECT = `
mutation Connect($network: Network!) {
  connectIntegration(network: $network) { attemptId authorizationUrl expiresAt }
}`;

export const ATTEMPT = `
query Attempt($id: ID!) {
  connectionAttempt(id: $id) { id network status failureCode failure candidates { id name profileUrl } }
}`;

export const COMPLETE = `
mutation Complete($attemptId: ID!, $completionCode: String!, $accountId: String) {
  completeConnection(attemptId: $attemptId, completionCode: $completionCode, accountId: $accountId) {
    ...Card
  }
}
${CARD}`;

export const REVIEW = `
mutation Review($id: ID!, $action: ReviewAction!) {
  reviewIntegration(id: $id, action: $action) {
    authorizationUrl attemptId
    integration { ...Card }
  }
}
${CARD}`;

export const APPROVE = `
mutation Approve($id: ID!, $note: String, $expectedVersion: Int) {
  approveIntegration(id: $id, note: $note, expectedVersion: $expectedVersion) { ...Card }
}
${CARD}`;

export const REJECT = `
mutation Reject($id: ID!, $note: String!, $expectedVersion: Int) {
  rejectIntegration(id: $id, note: $note, expectedVersion: $expectedVersion) { ...Card }
}
${CARD}`;

export const ADD_NOTE = `
mutation AddNote($integrationId: ID!, $body: String!) {
  addComplianceNote(integrationId: $integrationId, body: $body) { id }
}`;

export const INTEGRATION = `
query One($id: ID!) {
  integration(id: $id) { ...Card }
}
${CARD}`;

export const SIMULATE = `
mutation Simulate($integrationId: ID!, $event: SandboxEvent!) {
  sandboxSimulate(integrationId: $integrationId, event: $event)
}`;

export const CHECK = `
mutation Check($id: ID!) {
  checkIntegration(id: $id) { ...Card }
}
${CARD}`;

export const VERIFY = `
query Verify {
  verifyAuditTrail { intact eventCount firstBrokenSequence headHash }
}`;

const POST = `
fragment PostCard on Post {
  id review reviewNote contentHash text link imageUrls scheduledAt availableActions
  author { id name subject }
  deliveries {
    id network status reason detail dueAt atRisk publishedAt permalink sentText sentLink
    integration { id displayName status }
  }
}`;

export const POSTS = `
query Posts {
  posts(first: 50) { edges { node { ...PostCard } } }
}
${POST}`;

export const CREATE_POST = `
mutation CreatePost($input: PostInput!) {
  createPost(input: $input, submit: true) { ...PostCard }
}
${POST}`;

export const APPROVE_POST = `
mutation ApprovePost($id: ID!, $hash: String!) {
  approvePost(id: $id, contentHash: $hash) { ...PostCard }
}
${POST}`;

export const REJECT_POST = `
mutation RejectPost($id: ID!, $note: String!) {
  rejectPost(id: $id, note: $note) { ...PostCard }
}
${POST}`;

export const DELIVERY_FEED = `
subscription DeliveryFeed($after: String) {
  postDeliveryChanged(after: $after) { cursor event { postId deliveryStatus } }
}`;

export const TRAIL = `
query Trail($id: ID!) {
  auditTrail(integrationId: $id) { ...HistoryEntry }
}
${HISTORY_ENTRY}`;
