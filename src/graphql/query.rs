//! Query roots, one per domain, merged into [`QueryRoot`]. Each resolver: typed
//! context, one service call, one conversion.

use async_graphql::{
    Context, ErrorExtensions, MergedObject, Object, ResultExt, SimpleObject,
    connection::{Connection, Edge},
};

use super::{
    context::ContextExt,
    ids::{AttemptGid, IntegrationCursor, IntegrationGid},
    types::{
        AuditEvent, Integration, IntegrationFilter, NetworkInfo, Viewer, enums::IntegrationStatus,
    },
};
use crate::{
    service::integrations::ListFilter,
    service::{audit, connect, integrations, networks},
};

// Root fields resolve one after another (`serial`), so a request holds one pooled
// database connection at a time however many root fields or aliases it asks for: the
// per-tenant concurrency limit (`service::limits`) then bounds a tenant's connections
// too. (A comment, not a doc comment: that would become the type's SDL description.)
#[derive(MergedObject, Default)]
#[graphql(serial)]
pub struct QueryRoot(
    ViewerQuery,
    NetworkQuery,
    IntegrationQuery,
    AuditQuery,
    ConnectQuery,
    super::digest::DigestQuery,
    super::posts::PostQuery,
);

#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// The caller: who they are, their roles and their tenant.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Viewer> {
        Ok(Viewer {
            actor: ctx.actor().await?.clone(),
        })
    }
}

#[derive(Default)]
pub struct ConnectQuery;

#[Object]
impl ConnectQuery {
    /// One of the caller's connection attempts: status, failure, candidates.
    async fn connection_attempt(
        &self,
        ctx: &Context<'_>,
        id: AttemptGid,
    ) -> async_graphql::Result<Option<super::types::attempt::ConnectionAttempt>> {
        let attempt = connect::get(ctx.app()?, ctx.actor().await?, id.0)
            .await
            .extend()?;
        Ok(Some(super::types::attempt::ConnectionAttempt(attempt)))
    }
}

#[derive(Default)]
pub struct NetworkQuery;

#[Object]
impl NetworkQuery {
    /// Every network, supported or not, with the viewer's limit and slots used.
    async fn networks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<NetworkInfo>> {
        let views = networks::list(ctx.app()?, ctx.actor().await?)
            .await
            .extend()?;
        Ok(views.into_iter().map(NetworkInfo).collect())
    }
}

#[derive(Default)]
pub struct IntegrationQuery;

/// Page cost for complexity: a list costs its page size times its children.
pub(crate) fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let size = first.map_or(integrations::DEFAULT_PAGE as usize, |n| n.max(0) as usize);
    size.max(1) * child_complexity + 1
}

/// Live integrations per status.
#[derive(SimpleObject)]
pub struct IntegrationCount {
    pub status: IntegrationStatus,
    pub count: i64,
}

/// Extra fields of the integrations connection.
pub struct IntegrationTotals {
    filter: ListFilter,
}

#[Object]
impl IntegrationTotals {
    /// How many integrations match the filter, on all pages (counted only when asked).
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        integrations::total(ctx.app()?, ctx.actor().await?, &self.filter)
            .await
            .extend()
    }
}

pub type IntegrationConnection = Connection<String, Integration, IntegrationTotals>;

#[Object]
impl IntegrationQuery {
    /// One integration by id; null with NOT_FOUND when it does not exist or is not yours.
    async fn integration(
        &self,
        ctx: &Context<'_>,
        id: IntegrationGid,
    ) -> async_graphql::Result<Option<Integration>> {
        let model = integrations::get(ctx.app()?, ctx.actor().await?, id.0)
            .await
            .extend()?;
        Ok(Some(Integration(model)))
    }

    /// Integrations the viewer may see, oldest first. `first` is at most 100.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn integrations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<IntegrationCursor>,
        filter: Option<IntegrationFilter>,
    ) -> async_graphql::Result<IntegrationConnection> {
        let filter = ListFilter::from(filter.unwrap_or_default());
        let after = after.map(|cursor| cursor.0);
        let page = integrations::list(ctx.app()?, ctx.actor().await?, &filter, after, first)
            .await
            .extend()?;
        let loaders = ctx.loaders().await?;
        let look = ctx.look_ahead();
        for node in [look.field("edges").field("node"), look.field("nodes")] {
            loaders
                .prime(&node, &page.items)
                .await
                .map_err(|e| e.extend())?;
        }
        let mut connection = Connection::with_additional_fields(
            page.has_previous,
            page.has_next,
            IntegrationTotals { filter },
        );
        connection.edges = page
            .items
            .into_iter()
            .map(|m| Edge::new(IntegrationCursor(m.id).encoded(), Integration(m)))
            .collect();
        Ok(connection)
    }

    /// Live integrations per status (every status listed, zero when none).
    async fn integration_counts(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<IntegrationCount>> {
        let counts = integrations::counts(ctx.app()?, ctx.actor().await?)
            .await
            .extend()?;
        Ok(counts
            .into_iter()
            .map(|(status, count)| IntegrationCount {
                status: status.into(),
                count,
            })
            .collect())
    }
}

/// The verdict of `verifyAuditTrail`.
#[derive(SimpleObject)]
pub struct AuditVerification {
    /// True when every event's hash recomputes and the sequence has no gap.
    pub intact: bool,
    /// Events in the tenant's chain.
    pub event_count: i64,
    /// The first sequence number that does not verify; null when intact.
    pub first_broken_sequence: Option<i64>,
    /// Hash of the newest event (what an examiner would note down).
    pub head_hash: String,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// Every event of one integration, oldest first (compliance and admins, and the
    /// owner for their own integration, like `Integration.history`).
    async fn audit_trail(
        &self,
        ctx: &Context<'_>,
        integration_id: IntegrationGid,
    ) -> async_graphql::Result<Vec<AuditEvent>> {
        let events = audit::trail(ctx.app()?, ctx.actor().await?, integration_id.0)
            .await
            .extend()?;
        Ok(events.into_iter().map(AuditEvent).collect())
    }

    /// Recomputes the tenant's hash chain (compliance and admins).
    async fn verify_audit_trail(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<AuditVerification> {
        let v = audit::verify(ctx.app()?, ctx.actor().await?)
            .await
            .extend()?;
        Ok(AuditVerification {
            intact: v.first_broken.is_none(),
            event_count: v.events,
            first_broken_sequence: v.first_broken,
            head_hash: v.head_hash,
        })
    }

    /// The tenant's events in `[from, to)` as JSON lines with their hashes, for
    /// offline re-verification (compliance and admins). Paged: up to `first` lines
    /// (default and most 5,000) after sequence `after`; pass the last line's `seq` as
    /// `after` for the next page; a shorter page is the last.
    async fn audit_export(
        &self,
        ctx: &Context<'_>,
        from: Option<chrono::DateTime<chrono::Utc>>,
        to: Option<chrono::DateTime<chrono::Utc>>,
        after: Option<i64>,
        first: Option<i32>,
    ) -> async_graphql::Result<String> {
        audit::export(ctx.app()?, ctx.actor().await?, (from, to), after, first)
            .await
            .extend()
    }
}
