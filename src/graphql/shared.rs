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
//! copy it. A resolution that recorded a field error is not shared (its errors belong
//! to its own response): the next subscription resolves for itself.
//!
//! Which events a subscription receives, and in what order, is untouched: each still
//! follows its own feed with its own filter and cursor.

use std::{
    borrow::Cow,
    collections::{BTreeSet, HashMap, VecDeque},
    sync::{Arc, Mutex},
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
        // Debug, not serde: a parsed value holding a variable does not serialize.
        feed(format!("{selection:?}").as_bytes());
        feed(format!("{fragments:?}").as_bytes());
        for name in used {
            let value = env.variables.get(name.as_str());
            feed(name.as_bytes());
            feed(&serde_json::to_vec(&value).unwrap_or_default());
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

type Key = (TenantId, i64, View);

#[derive(Default)]
struct Kept {
    cells: HashMap<Key, Arc<OnceCell<Value>>>,
    order: VecDeque<Key>,
}

/// The resolved events of recent views (schema data).
#[derive(Default)]
pub struct Resolved {
    kept: Mutex<Kept>,
}

impl Resolved {
    fn cell(&self, key: Key) -> Arc<OnceCell<Value>> {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(cell) = kept.cells.get(&key) {
            return cell.clone();
        }
        if kept.order.len() >= MOST_KEPT
            && let Some(oldest) = kept.order.pop_front()
        {
            kept.cells.remove(&oldest);
        }
        let cell = Arc::new(OnceCell::new());
        kept.cells.insert(key, cell.clone());
        kept.order.push_back(key);
        cell
    }
}

/// What `integrationStatusChanged` yields: the event and the subscription's view.
pub struct StatusChange {
    pub event: Arc<FeedEvent>,
    pub view: View,
}

/// A resolution that is not to be shared: an error, or a value whose field errors
/// went to this subscription's response.
enum Unshared {
    Failed(async_graphql::ServerError),
    Own(Value),
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
        let own = StatusChangeEvent(self.event.clone());
        let Some(resolved) = ctx.data_opt::<Arc<Resolved>>() else {
            return own.resolve(ctx, field).await;
        };
        let errors = || ctx.query_env.errors.lock().map_or(0, |e| e.len());
        let key = (self.event.event.tenant_id, self.event.event.seq, self.view);
        let cell = resolved.cell(key);
        let shared = cell
            .get_or_try_init(|| async {
                let before = errors();
                match own.resolve(ctx, field).await {
                    Ok(value) if errors() == before => Ok(value),
                    Ok(value) => Err(Unshared::Own(value)),
                    Err(error) => Err(Unshared::Failed(error)),
                }
            })
            .await;
        match shared {
            Ok(value) => Ok(value.clone()),
            Err(Unshared::Own(value)) => Ok(value),
            Err(Unshared::Failed(error)) => Err(error),
        }
    }
}
