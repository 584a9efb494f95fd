//! Pure rules of socialgate: no I/O, no clock reads, no database types beyond the
//! stored enums. Everything here is decided from its arguments, so it is tested
//! without a server and reused by every service.

pub mod audit;
pub mod coverage;
pub mod ids;
pub mod network;
pub mod policy;
pub mod reason;
pub mod signals;
pub mod status;

pub use entity::enums::{AccountKind, ComplianceMode, Network, Status, StatusReason};
