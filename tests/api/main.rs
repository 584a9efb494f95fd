//! API tests through the real router, on SQLite and PostgreSQL.

mod common;

mod answer_size;
mod audit;
mod auth;
mod bounds;
mod browser;
mod browser_embed;
mod callers;
mod commands;
mod concurrency;
mod conformance;
mod connect;
mod connect_meta;
mod console;
mod digest;
mod digest_address;
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
mod host_access;
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
mod newest;
mod pages;
mod pagination;
mod plan;
mod posts;
mod probes;
mod properties;
mod providers;
mod proxy;
mod publish_faults;
mod publishing;
mod refresh;
mod remedies;
mod review;
mod revocation;
mod schedule;
mod schema;
mod smtp;
mod sockets;
mod subscriptions;
mod sweep;
mod tenancy;
mod tokens;
mod ws;

/// Tests that measure the whole process (its peak resident memory) and so run alone:
/// the others wait while one of them runs.
const ALONE: [&str; 1] = ["hostile::refusing_hostile_documents_keeps_peak_memory_flat"];

/// Held shared by every test and exclusively by the ones in [`ALONE`].
static PROCESS: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// Lists every registered test (`module::name`, as the built-in harness names them)
/// and runs the ones the arguments select, in parallel.
fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let mut trials: Vec<libtest_mimic::Trial> = inventory::iter::<common::Case>
        .into_iter()
        .map(|case| {
            let module = case.module.strip_prefix("api::").unwrap_or(case.module);
            let run = case.run;
            let name = format!("{module}::{}", case.name);
            let alone = ALONE.contains(&name.as_str());
            libtest_mimic::Trial::ignorable_test(name, move || {
                use std::sync::PoisonError;
                match alone {
                    true => {
                        let _all = PROCESS.write().unwrap_or_else(PoisonError::into_inner);
                        Ok(run())
                    }
                    false => {
                        let _shared = PROCESS.read().unwrap_or_else(PoisonError::into_inner);
                        Ok(run())
                    }
                }
            })
            .with_ignored_flag(case.ignored)
        })
        .collect();
    trials.sort_by(|a, b| a.name().cmp(b.name()));
    libtest_mimic::run(&args, trials).exit();
}
