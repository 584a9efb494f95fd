//! One resolution of each status change per view, shared by every subscription that
//! would resolve it the same way.
//!
//! A fleet of dashboards holds thousands of identical subscriptions; resolving each
//! event's selection once per subscription (its resolvers, its user look-ups) made the
//! delivery of an event grow with their number. Two subscriptions resolve an event to
//! the same value when they select the same fields with the same variable values and
//! see the tenant the same way: the same roles, the same scope (an advisor sees only
//! their own integrations), and, when they ask what the viewer may do
//! (`availableActions`), the same person. That is a [`View`]. The first subscription to
//! reach an event resolves it; the others of the same view wait for that value and
//! copy it. A resolution that failed or recorded a field error is not shared (its
//! errors belong to its own response): then everyone resolves for themselves. The
//! first resolution advances only while its subscriber's socket is served, so nobody
//! waits for it longer than [`WAIT_FOR_FIRST`].
//!
//! Which events a subscription receives, and in what order, is untouched: each still
//! follows its own feed with its own filter and cursor.

use std::{
    borrow::Cow,
    collections::{BTreeSet, HashMap, VecDeque},
    convert::Infallible,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use async_graphql::{
    Context, ContextSelectionSet, OutputType, Positioned, ServerResult, Value,
    parser::types::{Directive, Field, Selection, SelectionSet},
    registry::Registry,
};
use entity::ids::TenantId;
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use super::subscription::StatusChangeEvent;
use crate::{auth::Actor, events::FeedEvent};

/// Resolved events kept for late subscribers of the same view; an older one is
/// resolved again by whoever still needs it.
const MOST_KEPT: usize = 4096;
/// How long a resolved event is kept: sharing only needs the moment of delivery, and
/// a value may be large (a whole history).
const KEEP_FOR: Duration = Duration::from_secs(30);
/// How long a subscription waits for another's resolution before doing its own.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(2);
/// Fields whose value depends on who is looking, beyond roles and scope.
const PERSONAL: [&str; 1] = ["availableActions"];

/// How a subscription sees each event: a digest of its selection, the variables that
/// selection uses, and the viewer as far as the selection depends on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct View([u8; 32]);

impl View {
    /// The view of the subscription field `ctx` resolves, for `actor`.
    pub fn of(ctx: &Context<'_>, actor: &Actor) -> View {
        let env = ctx.query_env;
        let selection = &ctx.item.node.selection_set.node;
        let mut fragments: Vec<_> = env.fragments.iter().collect();
        fragments.sort_by(|a, b| a.0.cmp(b.0));
        let mut used = BTreeSet::new();
        variables_in(selection, &mut used);
        for (_, fragment) in &fragments {
            variables_in(&fragment.node.selection_set.node, &mut used);
        }
        let personal = PERSONAL.iter().any(|name| mentions(selection, name))
            || fragments.iter().any(|(_, f)| {
                PERSONAL
                    .iter()
                    .any(|n| mentions(&f.node.selection_set.node, n))
            });
        let mut digest = Sha256::new();
        let mut feed = |part: &[u8]| {
            digest.update((part.len() as u64).to_be_bytes());
            digest.update(part);
        };
        feed(actor.tenant_id.to_string().as_bytes());
        feed(format!("{:?}", actor.roles).as_bytes());
        let person = (personal || !actor.sees_tenant()).then_some(actor.user_id);
        feed(format!("{person:?}").as_bytes());
        // `availableActions` follows the compliance mode the caller's tenant had when
        // their socket was admitted.
        let tenant = &actor.tenant;
        feed(format!("{:?} {}", tenant.compliance_mode, tenant.updated_at).as_bytes());
        // Defaults apply later, to absent variables: the definitions are part of it.
        feed(format!("{:?}", env.operation.node.variable_definitions).as_bytes());
        // Debug, not serde: a parsed value holding a variable does not serialize.
        feed(format!("{selection:?}").as_bytes());
        feed(format!("{fragments:?}").as_bytes());
        for name in used {
            let value = env.variables.get(name.as_str());
            feed(name.as_bytes());
            // Debug tells an absent variable from an explicit null.
            feed(format!("{value:?}").as_bytes());
        }
        View(digest.finalize().into())
    }
}

fn directive_variables(directives: &[Positioned<Directive>], used: &mut BTreeSet<String>) {
    for directive in directives {
        for (_, value) in &directive.node.arguments {
            value_variables(&value.node, used);
        }
    }
}

fn value_variables(value: &async_graphql_value::Value, used: &mut BTreeSet<String>) {
    use async_graphql_value::Value::{List, Object, Variable};
    match value {
        Variable(name) => {
            used.insert(name.to_string());
        }
        List(items) => items.iter().for_each(|v| value_variables(v, used)),
        Object(fields) => fields.values().for_each(|v| value_variables(v, used)),
        _ => {}
    }
}

fn variables_in(set: &SelectionSet, used: &mut BTreeSet<String>) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                for (_, value) in &field.node.arguments {
                    value_variables(&value.node, used);
                }
                directive_variables(&field.node.directives, used);
                variables_in(&field.node.selection_set.node, used);
            }
            Selection::FragmentSpread(spread) => directive_variables(&spread.node.directives, used),
            Selection::InlineFragment(inline) => {
                directive_variables(&inline.node.directives, used);
                variables_in(&inline.node.selection_set.node, used);
            }
        }
    }
}

fn mentions(set: &SelectionSet, name: &str) -> bool {
    set.items.iter().any(|item| match &item.node {
        Selection::Field(field) => {
            field.node.name.node.as_str() == name || mentions(&field.node.selection_set.node, name)
        }
        Selection::FragmentSpread(_) => false,
        Selection::InlineFragment(inline) => mentions(&inline.node.selection_set.node, name),
    })
}

/// An event as one version of its integration, seen through one view. (A live event
/// carries the integration as committed, a replayed one the row as it is now.)
type Key = (TenantId, i64, i32, View);
/// What a view resolved an event to: `None` when the first resolution is not to be
/// shared (it failed, or recorded field errors), so everyone resolves for themselves.
type Cell = Arc<OnceCell<Option<Value>>>;

#[derive(Default)]
struct Kept {
    cells: HashMap<Key, Cell>,
    order: VecDeque<(Key, Instant)>,
}

/// The resolved events of recent views (schema data).
#[derive(Default)]
pub struct Resolved {
    kept: Mutex<Kept>,
}

impl Resolved {
    fn cell(&self, key: Key) -> Cell {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(cell) = kept.cells.get(&key) {
            return cell.clone();
        }
        while let Some((oldest, at)) = kept.order.front().copied() {
            if kept.order.len() < MOST_KEPT && at.elapsed() < KEEP_FOR {
                break;
            }
            kept.order.pop_front();
            kept.cells.remove(&oldest);
        }
        let cell = Cell::default();
        kept.cells.insert(key, cell.clone());
        kept.order.push_back((key, Instant::now()));
        cell
    }
}

/// What `integrationStatusChanged` yields: the event and the subscription's view.
pub struct StatusChange {
    pub event: Arc<FeedEvent>,
    pub view: View,
}

impl OutputType for StatusChange {
    fn type_name() -> Cow<'static, str> {
        StatusChangeEvent::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        StatusChangeEvent::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        // Boxed: the subscription's stream keeps room for this future in place, idle
        // or not, and a resolution's state is several kilobytes.
        Box::pin(self.resolve_shared(ctx, field)).await
    }
}

impl StatusChange {
    async fn resolve_shared(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let own = StatusChangeEvent(self.event.clone());
        let own = || own.resolve(ctx, field);
        let Some(resolved) = ctx.data_opt::<Arc<Resolved>>() else {
            return own().await;
        };
        let errors = || ctx.query_env.errors.lock().map_or(0, |e| e.len());
        let event = &self.event;
        let key = (
            event.event.tenant_id,
            event.event.seq,
            event.integration.version,
            self.view,
        );
        let cell = resolved.cell(key);
        let mut mine = None;
        let first = cell.get_or_try_init(|| async {
            let before = errors();
            let value = own().await;
            let clean = value.as_ref().ok().filter(|_| errors() == before).cloned();
            mine = Some(value);
            Ok::<_, Infallible>(clean)
        });
        // The first resolution advances only while its own socket is served: a client
        // that stops reading must not hold everyone else's delivery for long.
        match tokio::time::timeout(WAIT_FOR_FIRST, first).await {
            Ok(Ok(Some(value))) => Ok(value.clone()),
            _ => match mine {
                Some(value) => value,
                None => own().await,
            },
        }
    }
}
