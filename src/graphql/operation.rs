//! Names each operation once async-graphql has chosen it (from `operationName`, or the
//! document's only operation): on the request's tracing span (`operation`), and in a
//! [`NamedOperation`] the HTTP layer reads for its metrics.

use std::sync::{Arc, OnceLock};

use async_graphql::extensions::ExtensionContext;

/// Put into a request's data; holds the operation's name once chosen.
#[derive(Clone, Default)]
pub struct NamedOperation(Arc<OnceLock<String>>);

impl NamedOperation {
    pub fn get(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }
}

/// Records the chosen operation's name, when it has one.
pub fn record(ctx: &ExtensionContext<'_>, operation_name: Option<&str>) {
    if let Some(name) = operation_name {
        tracing::Span::current().record("operation", name);
        if let Some(slot) = ctx.data_opt::<NamedOperation>() {
            let _ = slot.0.set(name.to_owned());
        }
    }
}
