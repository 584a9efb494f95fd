//! Depth limit that leaves introspection alone.
//!
//! GraphiQL's own introspection query is 13 levels deep (its `ofType` chains), so the
//! built-in depth limit at 12 would break GraphiQL. This extension counts depth like
//! the built-in one (every field, leaves included, fragments inlined) but stops at
//! introspection fields (`__schema`, `__type`), whose types are finite; the built-in
//! limit stays on as an outer bound at [`super::MAX_INTROSPECTION_DEPTH`].

use std::sync::Arc;

use async_graphql::{
    ServerError, ServerResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery},
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

/// Refuses data selections deeper than `max`, with code `BAD_USER_INPUT`.
pub struct DepthLimit {
    pub max: usize,
}

impl ExtensionFactory for DepthLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DepthLimitExtension { max: self.max })
    }
}

struct DepthLimitExtension {
    max: usize,
}

#[async_trait::async_trait]
impl Extension for DepthLimitExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let deepest = document
            .operations
            .iter()
            .map(|(_, op)| depth(&op.node.selection_set.node, &document, &mut Vec::new()))
            .max()
            .unwrap_or(0);
        if deepest > self.max {
            let mut error = ServerError::new(
                format!(
                    "query is nested {deepest} levels deep; the limit is {}",
                    self.max
                ),
                None,
            );
            let mut extensions = async_graphql::ErrorExtensionValues::default();
            extensions.set("code", "BAD_USER_INPUT");
            error.extensions = Some(extensions);
            return Err(error);
        }
        Ok(document)
    }
}

/// Depth of `set`; `open` holds the fragments being expanded, so a cyclic fragment
/// (refused later by validation) cannot loop here.
fn depth<'a>(
    set: &'a SelectionSet,
    document: &'a ExecutableDocument,
    open: &mut Vec<&'a str>,
) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                let name = field.node.name.node.as_str();
                if name.starts_with("__") {
                    1
                } else {
                    1 + depth(&field.node.selection_set.node, document, open)
                }
            }
            Selection::InlineFragment(fragment) => {
                depth(&fragment.node.selection_set.node, document, open)
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                match document.fragments.get(name) {
                    Some(fragment) if !open.contains(&name) => {
                        open.push(name);
                        let d = depth(&fragment.node.selection_set.node, document, open);
                        open.pop();
                        d
                    }
                    _ => 0,
                }
            }
        })
        .max()
        .unwrap_or(0)
}
