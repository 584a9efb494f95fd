//! The GraphQL schema: per-domain roots merged, types mirrored from the domain, one
//! loader per relation. [`schema_builder`] needs no data, so the SDL can be printed
//! and checked without a database.

mod codes;
pub mod context;
pub mod ids;
mod limits;
pub mod loaders;
pub mod mutation;
pub mod query;
pub mod subscription;
pub mod types;

use std::sync::Arc;

use async_graphql::{Schema, SchemaBuilder};

use crate::app::App;

pub use mutation::MutationRoot;
pub use query::QueryRoot;
pub use subscription::SubscriptionRoot;

pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Deepest data selection accepted.
pub const MAX_DEPTH: usize = 12;
/// Outer bound that also covers introspection (GraphiQL's query is 13 deep).
pub const MAX_INTROSPECTION_DEPTH: usize = 24;
/// Largest cost accepted; a list costs its page size times its children, so a full
/// page of 100 with notes and history fits and a few of them in one request do not.
pub const MAX_COMPLEXITY: usize = 10_000;
/// Most directives on one field.
pub const MAX_DIRECTIVES: usize = 8;

/// The schema with its limits and without data: for SDL export and as the base of
/// [`build`].
pub fn schema_builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .extension(codes::RequestErrors)
    .extension(limits::DepthLimit { max: MAX_DEPTH })
    .limit_depth(MAX_INTROSPECTION_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .limit_directives(MAX_DIRECTIVES)
    .limit_recursive_depth(32)
}

/// The serving schema.
pub fn build(app: Arc<App>) -> AppSchema {
    schema_builder().data(app).finish()
}

/// The SDL that `schema.graphql` must equal.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}
