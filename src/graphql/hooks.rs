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
//! - `validation` and `execute`: a request that asks for an expensive field or whose
//!   complexity reaches [`super::HEAVY_COMPLEXITY`] runs on the pool of expensive
//!   requests, shared fairly between tenants ([`crate::service::heavy`]); the chosen
//!   operation's name ([`super::operation`]);
//! - `prepare_request` and `execute`: the answer rearranged into the order the query
//!   asked ([`super::order`]);
//! - `resolve`: a turn for other requests every few hundred fields, the answer's size
//!   charged and its ceiling enforced ([`super::answer`]), and, when the operator asks,
//!   a tracing span per object field ([`super::spans`]).

use std::sync::{
    Arc, Mutex, PoisonError,
    atomic::{AtomicBool, Ordering},
};

use async_graphql::{
    Request, Response, ServerResult, ValidationResult, Value, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
        NextPrepareRequest, NextResolve, NextValidation, ResolveInfo,
    },
    parser::types::ExecutableDocument,
};
use tracing::Instrument;

use super::{
    answer::AnswerSize, codes, documents::Documents, limits::Budget, operation, order::Order, spans,
};

/// The hooks, with the budget they enforce, the documents that passed it, and whether
/// resolvers get spans.
#[derive(Clone)]
pub struct Hooks {
    pub budget: Budget,
    pub documents: Arc<Documents>,
    pub resolver_spans: bool,
}

/// The hooks of one request: whether it is expensive is learnt while it is screened
/// and validated, and acted on when it executes.
struct Running {
    hooks: Hooks,
    heavy: AtomicBool,
    /// The order the answer is given in, taken from the document once it passed the
    /// budget.
    order: Mutex<Option<Order>>,
}

impl ExtensionFactory for Hooks {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Running {
            hooks: self.clone(),
            heavy: AtomicBool::new(false),
            order: Mutex::new(None),
        })
    }
}

/// Runs `next` with a place in the pool of expensive requests, refused with
/// `RATE_LIMITED` when none frees in time.
async fn on_heavy_pool(
    ctx: &ExtensionContext<'_>,
    operation_name: Option<&str>,
    next: NextExecute<'_>,
) -> Response {
    let Ok(app) = ctx.data::<Arc<crate::service::App>>() else {
        return next.run(ctx, operation_name).await;
    };
    let tenant = ctx
        .data_opt::<super::context::RequestAuth>()
        .and_then(|auth| auth.tenant())
        .unwrap_or_default();
    match app.heavy.enter(tenant).await {
        Ok(_place) => {
            let own = ctx.data_opt::<super::Standalone>().is_some();
            on_own_thread(next.run(ctx, operation_name), own).await
        }
        Err(refused) => Response::from_errors(vec![codes::with_code(
            async_graphql::ServerError::new(refused.public_message(), None),
            crate::error::Code::RateLimited,
        )]),
    }
}

/// Runs an expensive request on an operating-system thread of its own. tokio shares
/// a worker between tasks only when one yields, so a cheap request of another tenant
/// that lands on the worker running an export waited for the export's next yield (a
/// few milliseconds of resolving or serializing). Handed to its own thread
/// (`block_in_place`: the worker's other tasks move to a fresh worker), the expensive
/// request is one more runnable thread, and the kernel preempts it the moment a
/// sleeping worker wakes with a cheap request. Only a request that is the only work of
/// its task (`own`: one over HTTP, see [`super::Standalone`]) leaves: a WebSocket runs
/// every operation of the socket in one task, whose subscriptions would stall behind
/// it. On a single-threaded runtime (tests, some embedders) it runs in place, as
/// before. A thread of its own is out of reach of the HTTP layer's timeout, so it keeps
/// the same 30 s deadline itself.
async fn on_own_thread(run: impl Future<Output = Response>, own: bool) -> Response {
    use tokio::runtime::{Handle, RuntimeFlavor};
    const DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);
    let bounded =
        async move {
            tokio::time::timeout(DEADLINE, run).await.unwrap_or_else(|_| {
            Response::from_errors(vec![codes::with_code(
                async_graphql::ServerError::new(
                    "the request took longer than 30 s and was stopped; ask for less at once \
                     (a smaller page, fewer fields)",
                    None,
                ),
                crate::error::Code::RateLimited,
            )])
        })
        };
    match Handle::try_current() {
        Ok(handle) if own && handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(move || handle.block_on(bounded))
        }
        _ => bounded.await,
    }
}

/// Whether the operation the request runs (the one `operationName` names, or the
/// document's only one, named or not) is a subscription. A document that holds a
/// subscription beside the query it runs is not one.
fn subscribes(request: &mut Request) -> bool {
    use async_graphql::parser::types::OperationType;
    let name = request.operation_name.clone();
    request.parsed_query().is_ok_and(|document| {
        super::order::chosen(document, name.as_deref())
            .is_some_and(|op| op.ty == OperationType::Subscription)
    })
}

#[async_trait::async_trait]
impl Extension for Running {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if self
            .hooks
            .budget
            .screen(ctx, &mut request, &self.hooks.documents)?
        {
            self.heavy.store(true, Ordering::Relaxed);
        }
        // One answer per request; a subscription's events are answers of their own,
        // each small, and must not add up over its life.
        if !subscribes(&mut request) {
            request = request.data(AnswerSize::default());
            let name = request.operation_name.clone();
            if let Ok(document) = request.parsed_query() {
                *self.order.lock().unwrap_or_else(PoisonError::into_inner) =
                    Order::of(document, name.as_deref());
            }
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
        let validated = next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(codes::bad_user_input)
                .collect::<Vec<_>>()
        })?;
        if validated.complexity >= super::HEAVY_COMPLEXITY {
            self.heavy.store(true, Ordering::Relaxed);
        }
        Ok(validated)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        operation::record(ctx, operation_name);
        let mut response = match self.heavy.load(Ordering::Relaxed) {
            true => on_heavy_pool(ctx, operation_name, next).await,
            false => next.run(ctx, operation_name).await,
        };
        let order = self
            .order
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(order) = order {
            order.apply(&mut response.data);
        }
        response
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
        let value = match spans::for_field(ctx, &info, self.hooks.resolver_spans) {
            Some(span) => next.run(ctx, info).instrument(span).await,
            None => next.run(ctx, info).await,
        }?;
        if let Some(size) = size {
            size.charge(key, value.as_ref());
        }
        Ok(value)
    }
}
