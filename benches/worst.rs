//! The most expensive request the server accepts, on a tenant seeded for the worst
//! case (100 members, `SG_WORST_NOTES` notes of the longest length on each, default
//! 41, and 150 on the first, whose history gets `SG_WORST_EVENTS` status changes,
//! default 2,000, and which 300 scheduled posts go to). For each family of queries of
//! a size `n`, the largest `n` the budget lets through is found on the data-free schema
//! (which gives its complexity), then the largest the server accepts by bisection.
//! Each is sent `SG_WORST_RUNS` times (default 5) over loopback to the in-process server
//! (tenant rate off, other limits default), measuring the process's CPU time (10 ms
//! ticks), wall time and peak resident memory growth (VmHWM, reset before, less VmRSS);
//! then once more counting the heap's peak (allocator retention aside). On PostgreSQL,
//! the CPU time of the local server's processes is shown apart. The client
//! streams the answer and keeps its last MiB; its share is in every figure. A family
//! whose largest budgeted size the server refuses gets a row for that size too.
//! Run: `cargo bench --bench worst` (results in BENCHMARKS.md).

#[allow(dead_code)]
mod common;

use std::{
    sync::{Mutex, atomic::Ordering},
    time::{Duration, Instant},
};

use chrono::Utc;
use common::{Price, cpu_ms, status_kib};
use socialgate::{
    App, Socialgate,
    auth::{Actor, Role, TokenMinter},
    config::Secret,
    domain::{IntegrationId, StatusReason, input::MAX_NOTE},
    graphql::{AppSchema, ids::IntegrationGid},
    service::{lifecycle, posts, review},
};

#[global_allocator]
static ALLOCATOR: common::Counting = common::Counting;

const SECRET: &str = "bench-secret-that-is-long-enough-for-hs256";
const TENANT: &str = "worst";
const HOUR: Duration = Duration::from_secs(3600);
const NOTE: &str = "id body createdAt author { id subject name email }";
const EVENT: &str = "sequence kind integrationId actor { id name } fromStatus toStatus reason \
    note selfApproval requestId occurredAt postId deliveryStatus contentHash networkPostId \
    permalink previousHash hash";
const DELIVERY: &str = "id integrationId network status reason detail dueAt atRisk sentText \
    sentLink attempts nextAttemptAt publishedAt networkPostId permalink";
const INTEGRATION: &str = "id version network accountKind externalAccountId displayName \
    profileUrl status statusReason statusExplanation statusRemedy statusChangedAt connectedAt \
    permissions approvedAt tokenExpiresAt expiresSoon expiresAt lastCheckedAt lastCheckOutcome \
    consecutiveFailures disconnectedAt availableActions owner { id subject name email }";
const DIGEST: &str = "digestPreview { empty date subject items { kind integrationId network \
    accountName status reason explanation remedy since expiresAt post dueAt reviewUrl } leftOut \
    text html to }";
/// graphql-js's introspection query, as GraphiQL sends it (as in tests/api/limits.rs).
const INTROSPECTION: &str = "query IntrospectionQuery { __schema { queryType { name } \
    mutationType { name } subscriptionType { name } types { ...FullType } directives { name \
    description locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name \
    description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason } \
    inputFields { ...InputValue } interfaces { ...TypeRef } enumValues(includeDeprecated: \
    true) { name description isDeprecated deprecationReason } possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind \
    name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { \
    kind name } } } } } } } } }";

/// Where requests go, and the schema that prices them.
struct Env {
    label: &'static str,
    client: reqwest::Client,
    url: String,
    token: String,
    schema: AppSchema,
    price: Price,
}

/// The validated complexity of `query`, when the budget lets it through.
async fn priced(env: &Env, query: String) -> Option<usize> {
    let fits = env.schema.execute(query).await.errors.is_empty();
    fits.then(|| env.price.0.load(Ordering::Relaxed))
}

/// The size of the server's answer to `query`, whether it accepts it, and in words.
async fn send(env: &Env, query: &str) -> (usize, (bool, String)) {
    common::post_streamed(&env.client, (&env.url, &env.token), query).await
}

/// One request's cost: CPU ms, wall ms, peak memory growth MiB, answer bytes, verdict,
/// and the CPU ms of a local PostgreSQL's processes.
type Sample = (f64, f64, f64, usize, (bool, String), f64);

async fn sample(env: &Env, query: &str) -> Sample {
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak");
    let (rss, db) = (status_kib("VmRSS:"), common::postgres_cpu_ms());
    let (cpu, started) = (cpu_ms(), Instant::now());
    let (bytes, verdict) = send(env, query).await;
    let (wall, cpu) = (started.elapsed().as_secs_f64() * 1000.0, cpu_ms() - cpu);
    let growth = (status_kib("VmHWM:") - rss) / 1024.0;
    (
        cpu,
        wall,
        growth,
        bytes,
        verdict,
        common::postgres_cpu_ms() - db,
    )
}

/// A measured request: its row of the table, whether accepted, its CPU, RSS and heap.
type Row = (String, bool, f64, f64, f64);

async fn measure(env: &Env, name: String, complexity: Option<usize>, query: &str) -> Row {
    let mut runs = Vec::new();
    for _ in 0..common::setting("SG_WORST_RUNS", 5) {
        runs.push(sample(env, query).await);
    }
    let most = |f: fn(&Sample) -> f64| runs.iter().map(f).fold(0.0, f64::max);
    let (cpu, growth) = (most(|r| r.0), most(|r| r.2));
    let db = match env.label {
        "PostgreSQL" => format!("{:.0}", most(|r| r.5)),
        _ => "in-process".into(),
    };
    let mut walls: Vec<f64> = runs.iter().map(|r| r.1).collect();
    walls.sort_by(f64::total_cmp);
    let bytes = runs.iter().map(|r| r.3).max().unwrap_or(0);
    let said = runs.iter().find(|r| !r.4.0).unwrap_or(&runs[0]).4.clone();
    common::heap_count(true);
    send(env, query).await;
    let heap = common::heap_count(false) as f64 / f64::from(1 << 20);
    let complexity = complexity.map_or("refused".into(), |c| c.to_string());
    let line = format!(
        "| {} | {name} | {complexity} | {} | {bytes} | {cpu:.0} | {db} | {:.1} | {growth:.1} | {heap:.1} |",
        env.label,
        said.1,
        walls[walls.len() / 2],
    );
    println!("{line}");
    (line, said.0, cpu, growth, heap)
}

/// The largest `n` in `1..=top` for which `ok(n)` (taken as monotone), if any.
async fn largest<F: Future<Output = bool>>(top: u32, mut ok: impl FnMut(u32) -> F) -> Option<u32> {
    if ok(top).await {
        return Some(top);
    }
    let (mut yes, mut no) = (0, top);
    while no - yes > 1 {
        let mid = u32::midpoint(yes, no);
        (yes, no) = if ok(mid).await { (mid, no) } else { (yes, mid) };
    }
    (yes > 0).then_some(yes)
}

/// Two lines each: shape (`one`, `aliases` of the query, `fan-out` of fragments around
/// it), largest size tried, name; the query. `{n}` is the size, `{id}` the first
/// integration, `{I}` `{D}` `{E}` `{N}` `{G}` `{Q}` the constants above.
const FAMILIES: &str = "\
one 100 integrations(first: 100), every field, notes and history (last: {n})
{ integrations(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { \
    {I} upcomingDeliveries { {D} } complianceNotes(last: {n}) { {N} } history(last: {n}) { {E} } } } } }
one 100 integrations(first: 100) { complianceNotes(last: {n}) { body } }
{ integrations(first: 100) { nodes { id complianceNotes(last: {n}) { body } } } }
one 100 integrations(first: 100) { history(last: {n}) { note hash previousHash } }
{ integrations(first: 100) { nodes { id history(last: {n}) { note hash previousHash } } } }
one 1 integrations(first: 100) { coverage { gaps } }
{ integrations(first: 100) { nodes { coverage { activeSeconds gaps { from to status } } } } }
aliases 2000 {n} aliases of integration(first) { complianceNotes(last: 100) { body author { name } } }
integration(id: \"{id}\") { complianceNotes(last: 100) { body author { name } } }
aliases 2000 {n} aliases of integration(first) { history(last: 100) { note hash previousHash } }
integration(id: \"{id}\") { history(last: 100) { note hash previousHash } }
one 100 integration(first) { upcomingDeliveries { every field, integration { complianceNotes(last: {n}) { body } } } }
{ integration(id: \"{id}\") { upcomingDeliveries { {D} integration { \
    complianceNotes(last: {n}) { body } } } } }
one 100 posts(first: 100) { text deliveries { every field, integration { complianceNotes(last: {n}) { body } } } }
{ posts(first: 100) { nodes { text deliveries { {D} integration { \
    complianceNotes(last: {n}) { body } } } } } }
fan-out 12 fragments {n} levels deep, each spreading the one below twice, of integration(first) { complianceNotes(last: 100) { body } }
integration(id: \"{id}\") { complianceNotes(last: 100) { body } }
aliases 2000 {n} aliases of __typename
__typename
one 1 GraphiQL's introspection query
{Q}
one 1 auditExport(first: 5000)
{ auditExport(first: 5000) }
one 1 auditExport(from: 2999): the whole chain read, nothing answered
{ auditExport(from: \"2999-01-01T00:00:00Z\") }
one 1 auditTrail(first), every field
{ auditTrail(integrationId: \"{id}\") { {E} } }
one 1 verifyAuditTrail
{ verifyAuditTrail { intact eventCount firstBrokenSequence headHash } }
one 1 digestPreview, every field, compliance digest on
{ {G} }
one 1 integration(first) { coverage { gaps } }
{ integration(id: \"{id}\") { coverage { activeSeconds gaps { from to status } } } }
one 100 verifyAuditTrail, auditExport(from: 2999), auditTrail(first), digestPreview and \
    integrations(first: 100) { coverage complianceNotes(last: {n}) { body } } at once
{ verifyAuditTrail { intact } auditExport(from: \"2999-01-01T00:00:00Z\") auditTrail(\
    integrationId: \"{id}\") { sequence note hash } {G} integrations(first: 100) { nodes { \
    coverage { activeSeconds gaps { from to } } complianceNotes(last: {n}) { body } } } }";

/// Shape, largest size tried, name and query of each family.
fn families() -> Vec<(&'static str, u32, &'static str, &'static str)> {
    let lines: Vec<&str> = FAMILIES.lines().collect();
    let family = |pair: &[&'static str]| {
        let mut head = pair[0].splitn(3, ' ');
        let mut next = || head.next().expect("a family's head");
        (next(), next().parse().expect("a size"), next(), pair[1])
    };
    lines.chunks(2).map(family).collect()
}

/// The query of a family's `shape` and `text` at size `n`.
fn query((shape, text): (&str, &str), id: &str, n: u32) -> String {
    let size = n.to_string();
    let parts = [
        ("{I}", INTEGRATION),
        ("{D}", DELIVERY),
        ("{E}", EVENT),
        ("{N}", NOTE),
    ];
    let text = [
        ("{G}", DIGEST),
        ("{Q}", INTROSPECTION),
        ("{id}", id),
        ("{n}", &size),
    ]
    .into_iter()
    .chain(parts)
    .fold(text.to_owned(), |t, (from, to)| t.replace(from, to));
    let fragment = |doc: String, k: u32| {
        format!(
            "{doc}fragment F{k} on QueryRoot {{ ...F{0} ...F{0} }}\n",
            k - 1
        )
    };
    match shape {
        "aliases" => format!(
            "{{ {}}}",
            (0..n).map(|i| format!("a{i}: {text} ")).collect::<String>()
        ),
        "fan-out" => (1..=n).fold(
            format!("{{ ...F{n} }}\nfragment F0 on QueryRoot {{ {text} }}\n"),
            fragment,
        ),
        _ => text,
    }
}

/// The largest size the budget and then the server accept, measured; and the largest
/// the budget accepts when the server refused it.
async fn explore(env: &Env, family: (&str, u32, &str, &str), id: &str) -> Vec<Row> {
    let (shape, most, name, text) = family;
    let at = |n: u32| query((shape, text), id, n);
    let named = |n: u32| name.replace("{n}", &n.to_string());
    let priced_ok = |n| async move { priced(env, at(n)).await.is_some() };
    let Some(top) = largest(most, priced_ok).await else {
        return vec![measure(env, named(1), None, &at(1)).await];
    };
    let chosen = largest(top, |n| async move { send(env, &at(n)).await.1.0 }).await;
    eprintln!("{}: {name}: budget n = {top}, server {chosen:?}", env.label);
    let sizes = chosen
        .into_iter()
        .chain((chosen != Some(top)).then_some(top));
    let mut rows = Vec::new();
    for n in sizes {
        let complexity = priced(env, at(n)).await;
        rows.push(measure(env, named(n), complexity, &at(n)).await);
    }
    rows
}

/// 50 advisors with two members each, two in three approved; the first advisor and
/// every integration, oldest (the first page's order) first.
async fn accounts(app: &App, co: &Actor) -> (Actor, Vec<IntegrationId>) {
    let (mut first, mut ids) = (None, Vec::new());
    for k in 0..50 {
        let owner = common::actor(app, TENANT, &format!("advisor-{k}"), Role::Advisor).await;
        for j in 0..2 {
            let connected =
                lifecycle::connected(app, &owner, common::linkedin_account(&format!("m-{k}-{j}")));
            let id = connected.await.expect("connect").integration.id;
            if ids.len() % 3 != 2 {
                let approved = review::approve(app, co, id, None, None);
                approved.await.expect("approve");
            }
            ids.push(id);
        }
        first.get_or_insert(owner);
    }
    (first.expect("an advisor"), ids)
}

/// `per` notes of the longest length on each of `ids`.
async fn notes(app: &App, co: &Actor, ids: &[IntegrationId], per: usize) {
    let mut body = "Checked the profile against the registration. ".repeat(MAX_NOTE / 20);
    body.truncate(MAX_NOTE - 1);
    body.push('.');
    for _ in 0..per {
        for id in ids {
            review::add_note(app, co, *id, &body).await.expect("note");
        }
    }
}

/// Seeds the tenant; the first integration's id as clients see it.
async fn seed(server: &Socialgate) -> String {
    let app = server.app();
    let co = common::actor(app, TENANT, "compliance", Role::Compliance).await;
    let (owner, ids) = accounts(app, &co).await;
    let per = common::setting("SG_WORST_NOTES", 41) as usize;
    notes(app, &co, &ids, per).await;
    let long = ids[0];
    for n in 0..common::setting("SG_WORST_EVENTS", 2000) {
        if n % 2 == 0 {
            let expired = lifecycle::expire(app, owner.tenant_id, long, StatusReason::TokenExpired);
            expired.await.expect("expire");
        } else {
            let again =
                lifecycle::reconnected(app, &owner, long, common::linkedin_account("m-0-0"));
            again.await.expect("reconnect");
        }
    }
    // After the status changes, so the first's newest history entries are notes.
    notes(app, &co, &ids[..1], 150usize.saturating_sub(per)).await;
    let at = Utc::now() + chrono::Duration::days(30);
    for n in 0..300 {
        let text = format!("Market note {n}: {}", "Diversify. ".repeat(270));
        let (link, image_urls, targets) = (None, Vec::new(), ids[..2].to_vec());
        let scheduled_at = Some(at);
        let draft = posts::Draft {
            text,
            link,
            image_urls,
            targets,
            scheduled_at,
        };
        let post = posts::create(app, &owner, draft, true)
            .await
            .expect("post")
            .post;
        let approved = posts::approve(app, &co, post.id, &post.content_hash, None);
        approved.await.expect("approve the post");
    }
    IntegrationGid(long).encoded()
}

async fn run(label: &'static str, url: String, worst: &Mutex<Vec<String>>) {
    let mut config = common::linkedin_config(url, "http://127.0.0.1:9");
    (config.tenant_rate, config.jobs) = (0, Some(false));
    let server = Socialgate::build(config).await.expect("server");
    let started = Instant::now();
    let long = seed(&server).await;
    eprintln!("{label}: seeded in {:?}", started.elapsed());
    let minter = TokenMinter::new(&Secret::new(SECRET), None, None);
    let token = minter.mint(TENANT, "compliance", &[Role::Compliance], HOUR);
    let price = Price::default();
    let schema = socialgate::graphql::schema_builder().extension(price.clone());
    let env = Env {
        label,
        client: reqwest::Client::new(),
        url: format!("{}/graphql", common::serve(server.router()).await),
        token: token.expect("token"),
        schema: schema.finish(),
        price,
    };
    let on = "mutation { updateNotificationSettings(input: { complianceDigest: true }) { complianceDigest } }";
    assert!(send(&env, on).await.1.0, "compliance digest on");
    let mut rows = Vec::new();
    for family in families() {
        rows.extend(explore(&env, family, &long).await);
    }
    let accepted: Vec<&Row> = rows.iter().filter(|r| r.1).collect();
    let most = [("CPU", 2), ("RSS growth", 3), ("heap", 4)].map(|(what, at)| {
        let key = |r: &&&Row| [r.2, r.3, r.4][at - 2];
        let row = accepted.iter().max_by(|a, b| key(a).total_cmp(&key(b)));
        format!("Most {what}, accepted: {}", row.expect("a row").0)
    });
    worst.lock().expect("worst").extend(most);
    server.shutdown().await.expect("shutdown");
}

#[tokio::main]
async fn main() {
    println!(
        "| database | request | complexity | accepted | answer bytes | CPU max ms | PostgreSQL CPU max ms | wall median ms | peak memory growth MiB | heap peak MiB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let worst = Mutex::new(Vec::new());
    common::on_both("worst", |label, url| run(label, url, &worst)).await;
    println!();
    for line in worst.lock().expect("worst").iter() {
        println!("{line}");
    }
}
