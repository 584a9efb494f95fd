//! SeaORM entities of socialgate, one module per table.
//!
//! These types are the storage shape only: they never leave the `store` layer as
//! GraphQL objects (the API has its own types), so a column can change without
//! changing the API. Every status-like column is a typed enum from [`enums`].

pub mod compliance_note;
pub mod connection_attempt;
pub mod credential;
pub mod data_deletion_request;
pub mod digest_delivery;
pub mod enums;
pub mod ids;
pub mod integration;
pub mod integration_event;
pub mod job_lease;
pub mod meta_callback;
pub mod post;
pub mod post_delivery;
pub mod sandbox_token;
pub mod tenant;
pub mod user;
