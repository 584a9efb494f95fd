//! API tests through the real router, on SQLite and PostgreSQL.

mod common;

mod auth;
mod limits;
mod n_plus_one;
mod pagination;
mod properties;
mod review;
mod schema;
mod tenancy;
