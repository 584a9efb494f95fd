//! Pure rules of socialgate: no I/O, no clock reads, and nothing of this crate's other
//! layers; only the stored vocabulary of the `entity` crate (enums, typed ids, rows).
//! Everything here is decided from its arguments, so it is tested without a server
//! and reused by every service.

pub mod api_id;
pub mod audit;
pub mod coverage;
pub mod digest;
pub mod input;
pub mod limits;
pub mod network;
pub mod notifications;
pub mod policy;
pub mod posts;
pub mod publishing;
pub mod reason;
pub mod refresh;
pub mod role;
pub mod settings;
pub mod signals;
pub mod spread;
pub mod status;

pub use entity::{
    enums::{AccountKind, ComplianceMode, Network, Status, StatusReason},
    ids::{AttemptId, IntegrationId, NoteId, PostDeliveryId, PostId, TenantId, UserId},
};
pub use role::Role;
