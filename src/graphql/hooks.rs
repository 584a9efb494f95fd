//! The schema's one extension: every hook the server needs into async-graphql's
//! request cycle, each delegating to the module that holds its rule.
//!
//! async-graphql runs every registered extension around every resolved field, each
//! level a boxed future, whether or not the extension cares about fields. With four
//! extensions a page of 50 integrations with notes paid four nested boxes per field,
//! which a profile put at over a tenth of the server's CPU (the chain itself, and
//! allocating and moving futures into boxes). One extension holding all the hooks
//! costs one level.
//!
//! - `prepare_request`: the query budget ([`super::limits`]), measured on the parsed
//!   document before anything expands its fragments, and kept with the document for
//!   the next request of the same text ([`super::documents`]);
//! - `parse_query` and `validation`: `BAD_USER_INPUT` on the errors async-graphql
//!   raises itself ([`super::codes`]);
//! - `execute`: the chosen operation's name ([`super::operation`]);
//! - `resolve`: a turn for other requests every few hundred fields, the answer's size
//!   charged and its ceiling enforced ([`super::answer`]), and, when the operator asks,
//!   a tracing span per object field ([`super::spans`]).

use std::sync::Arc;

use async_graphql::{
    Request, Response, ServerResult, ValidationResult, Value, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
        NextPrepareRequest, NextResolve, NextValidation, ResolveInfo,
    },
    parser::types::ExecutableDocument,
};
use tracing::Instrument;

use super::{answer::AnswerSize, codes, documents::Documents, limits::Budget, operation, spans};

/// The hooks, with the budget they enforce, the documents that passed it, and whether
/// resolvers get spans.
#[derive(Clone)]
pub struct Hooks {
    pub budget: Budget,
    pub documents: Arc<Documents>,
    pub resolver_spans: bool,
}

impl ExtensionFactory for Hooks {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(self.clone())
    }
}

/// Whether the operation the request runs (the one `operationName` names, or the
/// document's only one) is a subscription. A document that holds a subscription beside
/// the query it runs is not one.
fn subscribes(request: &mut Request) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let name = request.operation_name.clone();
    request.parsed_query().is_ok_and(|document| {
        let chosen = match (&document.operations, name.as_deref()) {
            (DocumentOperations::Single(op), _) => Some(&op.node),
            (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
            (DocumentOperations::Multiple(_), None) => None,
        };
        chosen.is_some_and(|op| op.ty == OperationType::Subscription)
    })
}

#[async_trait::async_trait]
impl Extension for Hooks {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        self.budget.screen(ctx, &mut request, &self.documents)?;
        // One answer per request; a subscription's events are answers of their own,
        // each small, and must not add up over its life.
        if !subscribes(&mut request) {
            request = request.data(AnswerSize::default());
        }
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(codes::bad_user_input)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<async_graphql::ServerError>> {
        next.run(ctx)
            .await
            .map_err(|errors| errors.into_iter().map(codes::bad_user_input).collect())
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        operation::record(ctx, operation_name);
        next.run(ctx, operation_name).await
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        // async-graphql resolves the already loaded fields of a list in one go without
        // handing the worker back, so a page with thousands of fields would keep a
        // worker for milliseconds while another tenant's cheap query waits. Each field
        // spends one unit of tokio's cooperative budget: the request yields every few
        // hundred fields, and the per-tenant concurrency limit shares CPU as well as
        // connections.
        tokio::task::consume_budget().await;
        let size = ctx.data_opt::<AnswerSize>();
        if let Some(size) = size {
            size.check()?;
        }
        let key = info.alias.unwrap_or(info.name);
        let value = match spans::for_field(ctx, &info, self.resolver_spans) {
            Some(span) => next.run(ctx, info).instrument(span).await,
            None => next.run(ctx, info).await,
        }?;
        if let Some(size) = size {
            size.charge(key, value.as_ref());
        }
        Ok(value)
    }
}
