//! Names each operation once async-graphql has chosen it (from `operationName`, or the
//! document's only operation): on the request's tracing span (`operation`), and in a
//! [`NamedOperation`] the HTTP layer reads for its metrics.

use std::sync::{Arc, OnceLock};

use async_graphql::{
    Response,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute},
};

/// Records the chosen operation's name.
pub struct OperationName;

impl ExtensionFactory for OperationName {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(OperationName)
    }
}

/// Put into a request's data; holds the operation's name once chosen.
#[derive(Clone, Default)]
pub struct NamedOperation(Arc<OnceLock<String>>);

impl NamedOperation {
    pub fn get(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }
}

#[async_trait::async_trait]
impl Extension for OperationName {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Some(name) = operation_name {
            tracing::Span::current().record("operation", name);
            if let Some(slot) = ctx.data_opt::<NamedOperation>() {
                let _ = slot.0.set(name.to_owned());
            }
        }
        next.run(ctx, operation_name).await
    }
}
