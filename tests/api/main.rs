//! API tests through the real router, on SQLite and PostgreSQL.

mod common;

mod audit;
mod auth;
mod concurrency;
mod connect;
mod hostile;
mod limits;
mod n_plus_one;
mod pagination;
mod properties;
mod providers;
mod proxy;
mod review;
mod schema;
mod subscriptions;
mod tenancy;
mod tokens;
mod ws;
