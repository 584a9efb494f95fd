//! The embedding example's host walked in Chromium (`tests/browser/embed.mjs`): its own
//! sign-in page sets a cookie, and socialgate's console under `/social` works with it as
//! it is, no token pasted; the host's sign-out leaves the console saying where to sign
//! in. Served in this process on a fresh SQLite file, as `examples/embed.rs` serves it.

use std::{fs, path::Path};

use libtest_mimic::Completion;
use tokio::net::TcpListener;

use crate::{
    api_test,
    browser::{cannot_run, missing, run_script},
};

api_test!(embedded_console_in_chromium);

async fn embedded_console_in_chromium() -> Completion {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let folder = root.join("tests/browser");
    if let Some(missing) = missing(&folder) {
        return cannot_run(missing);
    }
    let data = tempfile::tempdir().expect("data folder");
    let url = format!(
        "sqlite://{}?mode=rwc",
        data.path().join("embed.db").display()
    );
    let db = sea_orm::Database::connect(&url).await.expect("database");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (router, _server) = crate::embed::host(db, format!("{base}/social"))
        .await
        .expect("host");
    tokio::spawn(socialgate::http::serve(
        listener,
        router,
        Default::default(),
        std::future::pending(),
    ));
    let out = root.join("target/browser/embed");
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).expect("screenshot folder");
    tokio::task::spawn_blocking(move || run_script(&folder, "embed", &base, &out, &out))
        .await
        .expect("the embed walk");
    Completion::Completed
}
