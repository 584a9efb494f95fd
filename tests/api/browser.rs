//! The console walked in headless Chromium, the way a person uses it: the real
//! server binary in dev mode on a fresh SQLite database with sandbox networks, and
//! `tests/browser/console.mjs` (Playwright) clicking through connect, refusals,
//! four-eyes review, live updates, expiry and reconnect, then `posts.mjs` on the same
//! server writing, reviewing, publishing, holding and resuming posts; and GraphiQL
//! loaded with the outside network cut (`tests/browser/graphiql.mjs`). Screenshots of
//! every step land in `target/browser/{console,posts,graphiql}/`.
//!
//! It needs Node.js, Debian's `chromium` and `npm ci --prefix tests/browser`. Without
//! them the case is reported as ignored, with what is missing, unless
//! `SOCIALGATE_REQUIRE_BROWSER=1` (as in CI) makes that a failure.

use std::{
    fs,
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    thread::sleep,
    time::{Duration, Instant},
};

use libtest_mimic::Completion;

use crate::api_test;

api_test!(sync console_walk_in_chromium);
api_test!(sync graphiql_offline_in_chromium);

/// How long the whole walk may take before it counts as hung.
const WALK_LIMIT: Duration = Duration::from_secs(300);

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// What is missing to drive Chromium, if anything.
pub fn missing(walk: &Path) -> Option<String> {
    if let Some(missing) = missing_package(walk, "playwright-core") {
        return Some(missing);
    }
    if !chromium().exists() {
        return Some(format!(
            "no Chromium at {} (apt-get install chromium, or set CHROMIUM)",
            chromium().display()
        ));
    }
    None
}

/// What is missing to run `package` of `tests/browser` with Node.js, if anything.
pub fn missing_package(folder: &Path, package: &str) -> Option<String> {
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Some("Node.js is not installed".into());
    }
    if !folder.join("node_modules").join(package).is_dir() {
        return Some(format!(
            "{package} is not installed: npm ci --prefix tests/browser"
        ));
    }
    None
}

/// Ignored with `missing`, or a failure when `SOCIALGATE_REQUIRE_BROWSER=1` (CI).
pub fn cannot_run(missing: String) -> Completion {
    if std::env::var("SOCIALGATE_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("cannot run: {missing}");
    }
    Completion::ignored_with(format!(
        "{missing} (set SOCIALGATE_REQUIRE_BROWSER=1 to fail instead)"
    ))
}

/// Kills the child when the walk ends, however it ends.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Waits until `/readyz` answers 200 (migrations done, database reachable).
pub fn wait_ready(port: u16, server: &mut Running) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if let Ok(Some(status)) = server.0.try_wait() {
            panic!("the server exited before it was ready: {status}");
        }
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let asked = stream
                .write_all(b"GET /readyz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                .is_ok();
            let mut answer = String::new();
            let read = asked && stream.read_to_string(&mut answer).is_ok();
            if read && (answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200")) {
                return;
            }
        }
        sleep(Duration::from_millis(200));
    }
    panic!("the server was not ready within 60 s");
}

/// The console walk, then the posts walk on the accounts it left behind.
fn console_walk_in_chromium() -> Completion {
    walk(&["console", "posts"], "playwright-core", &[])
}

/// GraphiQL from this server's own copy of its pinned scripts, with the outside
/// network cut (`tests/browser/graphiql.mjs`): the npm packages the walk installs are
/// the assets folder.
fn graphiql_offline_in_chromium() -> Completion {
    let modules = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules");
    walk(
        &["graphiql"],
        "graphiql",
        &[("SOCIALGATE_GRAPHIQL_ASSETS", modules.display().to_string())],
    )
}

/// Runs `tests/browser/{name}.mjs` for each of `names`, one after the other, against
/// the server binary started in dev mode on a fresh SQLite database with `env`;
/// screenshots go to `target/browser/{name}/`, the server's log to the first's folder.
fn walk(names: &[&str], package: &str, env: &[(&str, String)]) -> Completion {
    let name = names[0];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let folder = root.join("tests/browser");
    if let Some(missing) = missing(&folder).or_else(|| missing_package(&folder, package)) {
        return cannot_run(missing);
    }
    let out = root.join("target/browser").join(name);
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).expect("screenshot folder");
    let data = tempfile::tempdir().expect("data folder");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let log = fs::File::create(out.join("server.log")).expect("server log");
    let mut server = Command::new(env!("CARGO_BIN_EXE_socialgate"));
    // Whatever this shell configures, the walk runs on the embedded default in dev mode.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SOCIALGATE_") {
            server.env_remove(name);
        }
    }
    for (name, value) in env {
        server.env(name, value);
    }
    let mut server = Running(
        server
            .env("SOCIALGATE_DATA_DIR", data.path())
            .env(
                "SOCIALGATE_DATABASE_URL",
                format!(
                    "sqlite://{}?mode=rwc",
                    data.path().join("walk.db").display()
                ),
            )
            .env("SOCIALGATE_LISTEN", format!("127.0.0.1:{port}"))
            .env("SOCIALGATE_LOG", "info")
            .stdout(Stdio::from(log.try_clone().expect("log")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start the server"),
    );
    wait_ready(port, &mut server);
    for script in names {
        let shots = root.join("target/browser").join(script);
        if *script != name {
            let _ = fs::remove_dir_all(&shots);
            fs::create_dir_all(&shots).expect("screenshot folder");
        }
        run_script(&folder, script, &base, &shots, &out);
    }
    Completion::Completed
}

/// Runs `tests/browser/{script}.mjs` against `base`, its screenshots in `shots`.
pub fn run_script(folder: &Path, script: &str, base: &str, shots: &Path, log: &Path) {
    let mut node = Running(
        Command::new("node")
            .arg(format!("{script}.mjs"))
            .current_dir(folder)
            .env("SOCIALGATE_URL", base)
            .env("SCREENSHOTS", shots)
            .env("CHROMIUM", chromium())
            .spawn()
            .expect("start node"),
    );
    let started = Instant::now();
    let status = loop {
        match node.0.try_wait().expect("wait for node") {
            Some(status) => break status,
            None if started.elapsed() > WALK_LIMIT => {
                panic!("the {script} walk took over {} s", WALK_LIMIT.as_secs())
            }
            None => sleep(Duration::from_millis(200)),
        }
    };
    assert!(
        status.success(),
        "the {script} walk failed ({status}); screenshots are in {}, the server's log in {}",
        shots.display(),
        log.display()
    );
}
