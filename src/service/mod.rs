//! Use cases. Each function authorizes against the [`Actor`](crate::auth::Actor), runs
//! its reads or its one transaction through `store`, and returns domain values; the
//! GraphQL layer only converts.

pub mod integrations;
pub mod networks;
pub mod seed;
pub mod viewer;
