//! API tests through the real router, on SQLite and PostgreSQL.

mod common;

mod answer_size;
mod audit;
mod auth;
mod bounds;
mod browser;
mod callers;
mod commands;
mod concurrency;
mod conformance;
mod connect;
mod connect_meta;
mod console;
mod digest;
mod digest_delivery;
mod digest_settings;
mod documented;
/// The embedding example, compiled into the tests so they run its host app.
#[allow(dead_code)]
#[path = "../../examples/embed.rs"]
mod embed;
mod embedding;
mod fairness;
mod graph_signals;
mod hostile;
mod house;
mod http;
mod jobs;
mod limits;
mod listener;
mod logs;
mod meta_callbacks;
mod meta_requests;
mod metrics;
mod n_plus_one;
mod pages;
mod pagination;
mod plan;
mod probes;
mod properties;
mod providers;
mod proxy;
mod refresh;
mod review;
mod revocation;
mod schema;
mod smtp;
mod sockets;
mod subscriptions;
mod sweep;
mod tenancy;
mod tokens;
mod ws;

/// Lists every registered test (`module::name`, as the built-in harness names them)
/// and runs the ones the arguments select, in parallel.
fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let mut trials: Vec<libtest_mimic::Trial> = inventory::iter::<common::Case>
        .into_iter()
        .map(|case| {
            let module = case.module.strip_prefix("api::").unwrap_or(case.module);
            let run = case.run;
            libtest_mimic::Trial::ignorable_test(format!("{module}::{}", case.name), move || {
                Ok(run())
            })
            .with_ignored_flag(case.ignored)
        })
        .collect();
    trials.sort_by(|a, b| a.name().cmp(b.name()));
    libtest_mimic::run(&args, trials).exit();
}
