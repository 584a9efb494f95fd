//! Use cases. Each function authorizes against the [`Actor`](crate::auth::Actor), runs
//! its reads or its one transaction through `store`, and returns domain values; the
//! GraphQL layer only converts.

pub mod audit;
pub mod change;
pub mod connect;
pub mod feed;
pub mod health;
pub mod integrations;
pub mod lifecycle;
pub mod networks;
pub mod review;
pub mod seed;
pub mod settings;
pub mod tokens;
pub mod viewer;
