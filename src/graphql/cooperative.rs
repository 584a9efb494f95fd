//! Lets other requests run while a large answer resolves.
//!
//! A page of 100 integrations with notes and history resolves thousands of fields,
//! and async-graphql resolves the fields of a list that are already loaded in one
//! go, without ever handing the worker thread back. On a small machine a few such
//! requests of one tenant then keep every worker busy for milliseconds at a stretch,
//! and another tenant's cheap query waits behind them at each step. Each field
//! resolution here spends one unit of tokio's cooperative budget, so a request hands
//! its thread back after every few hundred fields (tokio's budget), and the per-tenant
//! concurrency limit then shares the CPU as well as the connections.

use std::sync::Arc;

use async_graphql::{
    ServerResult, Value,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo},
};

/// Yields to the runtime when the request has used up its cooperative budget.
pub struct Cooperative;

impl ExtensionFactory for Cooperative {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CooperativeExtension)
    }
}

struct CooperativeExtension;

#[async_trait::async_trait]
impl Extension for CooperativeExtension {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        tokio::task::consume_budget().await;
        next.run(ctx, info).await
    }
}
