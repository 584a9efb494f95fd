//! GraphQL output and input types. Each wraps a stored model or a domain value and
//! converts; none of them queries the database except through a loader or a service.

pub mod attempt;
pub mod audit;
pub mod enums;
pub mod integration;
pub mod network;
pub mod post;
pub mod user;

pub use audit::AuditEvent;
pub use integration::{ComplianceNote, Integration, IntegrationFilter};
pub use network::NetworkInfo;
pub use user::{User, Viewer};
