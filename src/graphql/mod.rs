//! The GraphQL schema: per-domain roots merged, types mirrored from the domain, one
//! loader per relation. [`schema_builder`] needs no data, so the SDL can be printed
//! and checked without a database.

mod answer;
mod codes;
pub mod context;
mod cost;
pub mod digest;
mod documents;
mod hooks;
pub mod host_access;
pub mod ids;
mod limits;
pub mod loaders;
pub mod mutation;
pub mod operation;
mod order;
pub mod posts;
pub mod query;
mod shared;
mod simulate;
mod spans;
pub mod subscription;
pub mod types;

use std::sync::Arc;

use async_graphql::{Schema, SchemaBuilder};

use crate::service::App;

pub use mutation::MutationRoot;
pub use query::QueryRoot;
pub use subscription::SubscriptionRoot;

pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

// The first group is checked on the parsed document, with fragments measured once
// rather than expanded (see `limits`); the async-graphql limits after it walk the
// expanded tree and only see documents that passed.

/// Deepest data selection accepted.
pub const MAX_DEPTH: usize = 12;
/// Most field selections (aliases and `__typename` included) after fragments are
/// expanded: each is a response entry and a resolver call. GraphiQL's introspection
/// query has 217 and a full page with every nested field 44, so nine times
/// the largest client we know of still fits.
pub const MAX_FIELDS: u64 = 2_000;
/// Most selections of any kind (fields, fragment spreads, inline fragments) after
/// expansion: the tree async-graphql validates and walks. Twice [`MAX_FIELDS`], so that
/// only fragments and inline fragments wrapped around few fields reach it.
pub const MAX_SELECTIONS: u64 = 4_000;
/// Most fragment spreads after expansion. GraphiQL's introspection query expands 10;
/// a client built of per-component fragments needs some tens. A fan-out of fragments
/// that each spread the previous one twice is over it at depth 8.
pub const MAX_FRAGMENT_SPREADS: u64 = 256;
/// Largest price of the introspection in one request, each introspection list priced
/// at its length in this schema (like a page of data). GraphiQL's full introspection
/// query (217 fields) costs 374,089 so priced; one fits, two do not, nor do tens of
/// aliased `__schema { types { fields … } }` selections.
pub const MAX_INTROSPECTION_COST: u64 = 500_000;
/// Fields that may appear at most once per operation after fragments are expanded:
/// each recomputes, exports or reads a whole audit trail or history, and aliases would
/// otherwise multiply that work and the pool connections it holds.
pub const ONCE_PER_OPERATION: [&str; 5] = [
    "auditExport",
    "auditTrail",
    "coverage",
    "digestPreview",
    "verifyAuditTrail",
];
/// Validated complexity from which a request runs on the pool of expensive requests
/// ([`crate::service::heavy`]), as any request asking for a field of
/// [`ONCE_PER_OPERATION`] does: a page of 100 integrations with a few fields costs
/// about 300, with notes and history several thousand.
pub const HEAVY_COMPLEXITY: usize = 1_000;
/// Outer bound that also covers introspection (GraphiQL's query is 13 deep).
pub const MAX_INTROSPECTION_DEPTH: usize = 24;
/// Largest cost accepted; a list costs its page size times its children, so a full
/// page of 100 with notes and history fits and a few of them in one request do not.
pub const MAX_COMPLEXITY: usize = 10_000;
/// Most directives on one field, fragment spread, inline fragment or definition.
pub const MAX_DIRECTIVES: usize = 8;
/// Most arguments of one field or directive. The widest field takes 3; a field with
/// thousands of (duplicate) arguments only makes validation answer an error for each.
pub const MAX_ARGUMENTS: usize = 16;
/// Most variables a request may send or its document declare: every query of the API
/// needs a handful, and each one costs validation (thousands of unused ones were
/// thousands of errors).
pub const MAX_VARIABLES: usize = 64;

/// Request data saying the request is the only work of the task that runs it (one
/// over HTTP, not an operation of a WebSocket, whose task serves every operation of
/// the socket): an expensive one may then take a thread of its own.
#[derive(Debug, Clone, Copy)]
pub struct Standalone;

/// The schema with its limits and without data: for SDL export and as the base of
/// [`build`].
pub fn schema_builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    with_hooks(false)
}

/// The schema with its limits, and a tracing span per resolved object field when
/// `resolver_spans` (a cost on every field: only when the operator asks).
fn with_hooks(resolver_spans: bool) -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    let budget = limits::Budget {
        depth: MAX_DEPTH as u64,
        fields: MAX_FIELDS,
        selections: MAX_SELECTIONS,
        spreads: MAX_FRAGMENT_SPREADS,
        directives: MAX_DIRECTIVES,
        arguments: MAX_ARGUMENTS,
        variables: MAX_VARIABLES,
        introspection_cost: MAX_INTROSPECTION_COST,
    };
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .extension(hooks::Hooks {
        budget,
        documents: Arc::default(),
        resolver_spans,
    })
    .limit_depth(MAX_INTROSPECTION_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .limit_directives(MAX_DIRECTIVES)
    .limit_recursive_depth(32)
}

/// The serving schema.
pub fn build(app: Arc<App>) -> AppSchema {
    with_hooks(app.config.trace_resolvers.unwrap_or(false))
        .data(app)
        .data(Arc::new(shared::Resolved::default()))
        .finish()
}

/// The SDL that `schema.graphql` must equal.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}
