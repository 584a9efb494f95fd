//! A tracing span per resolved object field (`path`, `parent_type`, `return_type`),
//! for operators who turn on `SOCIALGATE_TRACE_RESOLVERS` to see where a slow request
//! spends its time. Only names are recorded, never argument or variable values:
//! those carry completion codes and compliance notes. (async-graphql's own tracing
//! extension records the query with its variables filled in, so it is not used.)

use std::sync::Arc;

use async_graphql::{
    ServerResult, Value,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo},
};
use tracing::Instrument;

pub struct ResolverSpans;

impl ExtensionFactory for ResolverSpans {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ResolverSpans)
    }
}

#[async_trait::async_trait]
impl Extension for ResolverSpans {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        // Leaves (scalars, enums) and introspection would be most spans and tell least.
        let leaf = {
            let name = info.return_type.trim_matches(['[', ']', '!']);
            ctx.schema_env
                .registry
                .types
                .get(name)
                .is_none_or(|ty| ty.is_leaf())
        };
        if info.is_for_introspection || leaf {
            return next.run(ctx, info).await;
        }
        let span = tracing::info_span!(
            "field",
            path = %info.path_node,
            parent_type = %info.parent_type,
            return_type = %info.return_type,
        );
        next.run(ctx, info).instrument(span).await
    }
}
