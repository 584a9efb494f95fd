//! Query budgets checked on the parsed document before anything expands it.
//!
//! async-graphql's own depth, directive and complexity checks walk the document with
//! every fragment inlined, so a small document whose fragments spread each other twice
//! costs seconds and gigabytes before any of them can say "too complex" (and they run
//! inside the parse step, before an extension's `parse_query` hook gets the document).
//! The schema's hooks therefore measure in `prepare_request`: [`Budget::screen`] parses
//! the query itself (async-graphql reuses that parse), measures it with
//! [`super::cost`] in time linear in its size, and refuses it over budget with
//! `BAD_USER_INPUT`; a document that passed is kept for the next request with the
//! same text, which then skips both. The built-in limits stay on as outer bounds and
//! now only see documents that passed.
//!
//! Depth still leaves introspection alone: GraphiQL's introspection query is 13 levels
//! deep, so `__schema` and `__type` count one level and are priced by
//! [`Budget::introspection_cost`] instead.

use std::{any::TypeId, sync::Arc};

use async_graphql::{Request, ServerError, ServerResult, extensions::ExtensionContext};

use super::{
    ONCE_PER_OPERATION,
    context::RequestAuth,
    cost::{self, Cycle, DocumentCost},
    documents::{Documents, Known, keepable},
};
use crate::service::App;

/// What one request may cost; see the constants in [`super`] for the values and why.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Deepest data selection.
    pub depth: u64,
    /// Field selections after expansion.
    pub fields: u64,
    /// Fields, spreads and inline fragments after expansion.
    pub selections: u64,
    /// Fragment spreads after expansion.
    pub spreads: u64,
    /// Directives on one selection or definition.
    pub directives: usize,
    /// Arguments of one field or directive.
    pub arguments: usize,
    /// Variables sent with the request, and declared by its document.
    pub variables: usize,
    /// Introspection, lists priced at their length.
    pub introspection_cost: u64,
}

impl Budget {
    /// Refuses `request` when its document is over budget, or introspects where the
    /// caller may not; a syntax error is left to async-graphql, which reports it the
    /// usual way. The parse is kept in the request, so it is not parsed twice, and a
    /// document that passed is kept in `documents` for the next request with the same
    /// text. Answers whether the document asks for an expensive field.
    pub fn screen(
        &self,
        ctx: &ExtensionContext<'_>,
        request: &mut Request,
        documents: &Documents,
    ) -> ServerResult<bool> {
        if request.variables.len() > self.variables {
            return Err(refuse(format!(
                "the request sends {} variables; the limit is {}",
                request.variables.len(),
                self.variables
            )));
        }
        let (asks_schema, heavy) = match documents.get(&request.query) {
            Some(known) => {
                request.set_parsed_query(known.document.clone());
                (known.asks_schema, known.heavy)
            }
            None => {
                let length = request.query.len();
                let Ok(document) = request.parsed_query() else {
                    return Ok(false);
                };
                let declared: usize = document
                    .operations
                    .iter()
                    .map(|(_, op)| op.node.variable_definitions.len())
                    .sum();
                if declared > self.variables {
                    return Err(refuse(format!(
                        "the document declares {declared} variables; the limit is {}",
                        self.variables
                    )));
                }
                let cost = cost::measure(document);
                let selections = cost.as_ref().map_or(u64::MAX, |c| c.total.selections);
                let (asks_schema, heavy) = check(self, cost)?;
                if keepable(length, selections) {
                    let known = Known {
                        document: document.clone(),
                        asks_schema,
                        heavy,
                    };
                    documents.keep(&request.query, known);
                }
                (asks_schema, heavy)
            }
        };
        if asks_schema && !schema_public(ctx, request) {
            return Err(super::codes::with_code(
                ServerError::new(
                    "introspection needs a bearer token here (the server publishes its \
                     schema to anonymous callers only in dev mode or with \
                     SOCIALGATE_PUBLIC_SCHEMA=true)",
                    None,
                ),
                crate::error::Code::Unauthenticated,
            ));
        }
        Ok(heavy)
    }
}

/// Whether this request may introspect: signed-in callers always; anonymous ones when
/// the server publishes its schema (dev mode, or `SOCIALGATE_PUBLIC_SCHEMA`).
fn schema_public(ctx: &ExtensionContext<'_>, request: &Request) -> bool {
    let auth = request
        .data
        .get(&TypeId::of::<RequestAuth>())
        .and_then(|d| d.downcast_ref::<RequestAuth>())
        .or_else(|| ctx.data_opt::<RequestAuth>());
    if auth.is_some_and(RequestAuth::is_signed_in) {
        return true;
    }
    // The data-free schema (SDL export, unit tests) has no server to ask.
    ctx.data_opt::<Arc<App>>()
        .is_none_or(|app| app.config.publishes_schema())
}

/// The first budget `cost` exceeds, as the error the client gets; otherwise whether
/// the document introspects the schema.
/// Checks `cost` against the budget: whether the document introspects, and whether it
/// asks for an expensive field.
fn check(budget: &Budget, cost: Result<DocumentCost, Cycle>) -> ServerResult<(bool, bool)> {
    let cost = cost.map_err(|Cycle(name)| {
        refuse(format!(
            "fragment {name} spreads itself, directly or through other fragments"
        ))
    })?;
    let total = &cost.total;
    if cost.most_directives > budget.directives {
        return Err(refuse(format!(
            "a selection carries {} directives; the limit is {}",
            cost.most_directives, budget.directives
        )));
    }
    if cost.most_arguments > budget.arguments {
        return Err(refuse(format!(
            "a field or directive has {} arguments; the limit is {}",
            cost.most_arguments, budget.arguments
        )));
    }
    if total.fields > budget.fields {
        return Err(refuse(format!(
            "the query selects {} fields after fragments are expanded; the limit is {}",
            total.fields, budget.fields
        )));
    }
    if total.spreads > budget.spreads {
        return Err(refuse(format!(
            "the query expands {} fragment spreads; the limit is {}",
            total.spreads, budget.spreads
        )));
    }
    if total.selections > budget.selections {
        return Err(refuse(format!(
            "the query has {} selections (fields, fragment spreads and inline fragments) \
             after fragments are expanded; the limit is {}",
            total.selections, budget.selections
        )));
    }
    if total.depth > budget.depth {
        return Err(refuse(format!(
            "query is nested {} levels deep; the limit is {}",
            total.depth, budget.depth
        )));
    }
    if total.introspection > budget.introspection_cost {
        return Err(refuse(format!(
            "the query's introspection costs {} (each list priced at its length in this \
             schema); the limit is {}",
            total.introspection, budget.introspection_cost
        )));
    }
    for (field, count) in ONCE_PER_OPERATION.iter().zip(cost.once) {
        if count > 1 {
            return Err(refuse(format!(
                "{field} may appear once per operation; this one asks for it {count} times \
                 after fragments are expanded"
            )));
        }
    }
    Ok((total.introspection > 0, cost.once.iter().any(|n| *n > 0)))
}

fn refuse(message: String) -> ServerError {
    super::codes::with_code(
        ServerError::new(message, None),
        crate::error::Code::BadUserInput,
    )
}
