//! Use cases. Each function authorizes against the [`Actor`], reads through the
//! scope the actor may see ([`scope_of`]) or changes state through the one road in
//! [`change`], and returns domain values; the GraphQL layer only converts.

mod app;
pub mod audit;
pub mod batch;
pub mod change;
pub mod connect;
pub mod digest;
pub mod disconnect;
pub mod feed;
pub mod health;
pub mod heavy;
pub mod host_access;
pub mod integrations;
pub mod lifecycle;
pub mod limits;
pub mod meta_callbacks;
pub mod networks;
pub mod posts;
pub mod refresh;
pub mod relations;
pub mod repairs;
pub mod replay;
pub mod review;
pub mod seed;
pub mod settings;
pub mod simulate;
pub mod tokens;
pub mod viewer;
pub mod walks;

/// The current time at the precision every backend stores.
pub use crate::store::now;
pub use app::App;

use crate::{auth::Actor, store::Scope};

/// The rows `actor` may see: compliance and admins see the whole tenant, everybody
/// else only what they own.
pub fn scope_of(actor: &Actor) -> Scope {
    if actor.sees_tenant() {
        Scope::tenant(actor.tenant_id)
    } else {
        Scope::owner(actor.tenant_id, actor.user_id)
    }
}
