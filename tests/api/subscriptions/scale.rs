//! Two instances across a database outage, a burst of changes, one reader per tenant,
//! shutdown's resumable close, and identical subscriptions sharing a resolution.

use super::*;

api_test!(two_instances_share_the_feed_across_a_database_outage);
/// Two instances on one PostgreSQL: A reaches the database through a proxy the test
/// cuts mid-stream; B keeps changing things; A's subscriber gets every change, in
/// order, none twice, once A is back.
async fn two_instances_share_the_feed_across_a_database_outage() -> libtest_mimic::Completion {
    use crate::common;

    let Some((b, pg_name)) = common::spawn(common::Backend::Postgres).await else {
        return common::unreachable_postgres();
    };
    let (a, a_base, proxy) = instance_through_proxy(&b).await;

    let owner = b.actor("pair", "adv", &[Advisor]).await;
    let co = b.actor("pair", "co", &[Compliance]).await;
    let id = crate::common::integration_id(&b.connect(&owner, Network::Linkedin, "shared").await);
    let mut ws = Ws::connect(&a_base, Protocol::TransportWs).await;
    ws.init(&b.token("pair", "co", &[Compliance])).await;
    ws.subscribe(
        "feed",
        "subscription($after: String) { integrationStatusChanged(after: $after) { sequence status } }",
        json!({ "after": b.head("pair").await }),
    )
    .await;

    // A change on B arrives on A.
    review::approve(&b.app, &co, id, None, None)
        .await
        .expect("approve on B");
    let event = ws.event(WAIT).await;
    assert_eq!(
        event["integrationStatusChanged"],
        json!({ "sequence": 2, "status": "ACTIVE" })
    );

    // Cut A off; B goes on; restore.
    proxy.cut();
    for n in 0..6 {
        if n % 2 == 0 {
            lifecycle::expire(&b.app, owner.tenant_id, id, StatusReason::TokenExpired)
                .await
                .expect("expire");
        } else {
            let again = lifecycle::NewAccount {
                network: Network::Linkedin,
                display_name: "Account".into(),
                profile_url: None,
                external_account_id: "shared".into(),
                network_user_id: None,
                scopes: vec!["openid".into(), "w_member_social".into()],
                token_expires_at: None,
                tokens: None,
            };
            lifecycle::reconnected(&b.app, &owner, id, again)
                .await
                .expect("reconnect");
        }
    }
    assert_eq!(
        ws.next(SECOND).await,
        Got::Nothing,
        "A hears nothing while cut off"
    );
    proxy.restore();
    for seq in 3..=8 {
        let event = ws.event(Duration::from_secs(30)).await;
        let status = if seq % 2 == 1 { "EXPIRED" } else { "ACTIVE" };
        assert_eq!(
            event["integrationStatusChanged"],
            json!({ "sequence": seq, "status": status })
        );
    }
    assert_eq!(ws.next(SECOND).await, Got::Nothing, "none twice");
    // And live again.
    lifecycle::expire(&b.app, owner.tenant_id, id, StatusReason::TokenExpired)
        .await
        .expect("expire");
    assert_eq!(
        ws.event(WAIT).await["integrationStatusChanged"]["sequence"],
        9
    );
    ws.close().await;
    a.begin_shutdown();
    if let Some(name) = pg_name {
        common::drop_database(&name).await;
    }
    libtest_mimic::Completion::Completed
}

db_test!(
    a_tenant_has_one_reader_that_ends_with_its_last_subscription,
    async |app: TestApp| {
        let feeds = &app.app.feeds;
        let mut sockets = Vec::new();
        let mut integrations = Vec::new();
        for tenant in ["hub-a", "hub-b"] {
            let owner = app.actor(tenant, "adv", &[Advisor]).await;
            let co = app.actor(tenant, "co", &[Compliance]).await;
            let id = crate::common::integration_id(
                &app.connect(&owner, Network::Linkedin, "acct").await,
            );
            integrations.push((co, id));
        }
        // Three subscriptions on tenant A (two sockets), one on tenant B.
        for (tenant, subscriptions) in [("hub-a", 2), ("hub-a", 1), ("hub-b", 1)] {
            let mut ws = Ws::connect(&app.base, Protocol::TransportWs).await;
            ws.init(&app.token(tenant, "co", &[Compliance])).await;
            let head = app.head(tenant).await;
            for n in 0..subscriptions {
                ws.subscribe(&format!("s{n}"), FEED, json!({ "after": head }))
                    .await;
            }
            sockets.push((ws, subscriptions));
        }
        let approve = |n: usize| {
            let (co, id) = &integrations[n];
            review::approve(&app.app, co, *id, None, None)
        };
        approve(0).await.expect("approve on A");
        approve(1).await.expect("approve on B");
        for (ws, subscriptions) in &mut sockets {
            for _ in 0..*subscriptions {
                let e = ws.event(WAIT).await;
                assert_eq!(e["integrationStatusChanged"]["status"], "ACTIVE");
            }
        }
        assert_eq!(
            feeds.tenants(),
            2,
            "one reader per tenant, however many subscribe"
        );

        // Tenant A's subscribers leave: its reader ends; tenant B's goes on.
        let (b, _) = sockets.pop().expect("B's socket");
        for (ws, _) in sockets {
            ws.close().await;
        }
        let deadline = std::time::Instant::now() + WAIT;
        while feeds.tenants() > 1 {
            assert!(
                std::time::Instant::now() < deadline,
                "A's reader did not end"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut b = b;
        let (co_b, id_b) = &integrations[1];
        lifecycle::expire(&app.app, co_b.tenant_id, *id_b, StatusReason::TokenExpired)
            .await
            .expect("expire on B");
        let e = b.event(WAIT).await;
        assert_eq!(e["integrationStatusChanged"]["status"], "EXPIRED");

        // A new subscription on A starts a reader again and misses nothing from its
        // cursor on.
        let mut again = Ws::connect(&app.base, Protocol::TransportWs).await;
        again.init(&app.token("hub-a", "co", &[Compliance])).await;
        let head = app.head("hub-a").await;
        again.subscribe("s", FEED, json!({ "after": head })).await;
        let (co_a, id_a) = &integrations[0];
        lifecycle::expire(&app.app, co_a.tenant_id, *id_a, StatusReason::TokenExpired)
            .await
            .expect("expire on A");
        let e = again.event(WAIT).await;
        assert_eq!(e["integrationStatusChanged"]["status"], "EXPIRED");
        assert_eq!(feeds.tenants(), 2);
    }
);

db_test!(
    shutdown_closes_sockets_with_a_resumable_code,
    async |app: TestApp| {
        let mut ws = Ws::connect(&app.base, Protocol::TransportWs).await;
        ws.init(&app.token("bye", "co", &[Compliance])).await;
        ws.subscribe("feed", FEED, json!({})).await;
        let _ = app.app.shutdown.send(true);
        assert_eq!(ws.next(WAIT).await, Got::Closed(1001));
    }
);

/// What dashboards select: who acted (a user read per resolution) and what the viewer
/// may do now (which depends on who the viewer is).
const DASHBOARD: &str = "subscription($after: String) {
  integrationStatusChanged(after: $after) {
    sequence status actor { subject } integration { availableActions }
  }
}";

db_test!(
    identical_subscriptions_share_one_resolution_per_event,
    async |app: TestApp| {
        let tenant = "dashboards";
        // A compliance officer who also advises: their own integrations' actions
        // differ from what a colleague may do with them.
        let lead = app.actor(tenant, "lead", &[Advisor, Compliance]).await;
        let co = app.actor(tenant, "co", &[Compliance]).await;
        let id = |s: String| crate::common::integration_id(&s);
        let started = id(app.connect(&lead, Network::Facebook, "started").await);
        let first = id(app.connect(&lead, Network::Linkedin, "first").await);
        let warm = id(app.connect(&lead, Network::Instagram, "warm").await);
        let measured = id(app.connect(&lead, Network::Linkedin, "measured").await);

        // One socket per subscription, so no two share a loader batch.
        let open = |sub: &'static str, roles: &'static [socialgate::auth::Role]| {
            let app = &app;
            async move {
                let mut ws = Ws::connect(&app.base, Protocol::TransportWs).await;
                ws.init(&app.token(tenant, sub, roles)).await;
                ws.subscribe("s", DASHBOARD, json!({ "after": app.head(tenant).await }))
                    .await;
                ws
            }
        };
        let mut officers = vec![open("co", &[Compliance]).await];
        let mut owner = open("lead", &[Advisor, Compliance]).await;
        // Same roles as the owner, another person: their own view.
        let mut peer = open("peer", &[Advisor, Compliance]).await;

        // Each view resolves once: the colleague's and the owner's.
        let reject = async |which, officers: &mut Vec<Ws>, owner: &mut Ws, peer: &mut Ws| {
            app.quiesce().await;
            let before = app.statements();
            review::reject(&app.app, &co, which, "not compliant", None)
                .await
                .expect("reject");
            let mut seen = Vec::new();
            for ws in officers.iter_mut() {
                seen.push(ws.event(WAIT).await["integrationStatusChanged"].clone());
            }
            let own = owner.event(WAIT).await["integrationStatusChanged"].clone();
            let peers = peer.event(WAIT).await["integrationStatusChanged"].clone();
            app.quiesce().await;
            assert_eq!(
                peers["integration"]["availableActions"],
                seen[0]["integration"]["availableActions"],
                "a peer with the owner's roles does not get the owner's actions"
            );
            (app.statements() - before, seen, own)
        };
        // Unmeasured: by its end both subscriptions are following.
        reject(started, &mut officers, &mut owner, &mut peer).await;
        let (alone, seen, own) = reject(first, &mut officers, &mut owner, &mut peer).await;
        assert_eq!(seen[0]["status"], "REJECTED");
        assert_eq!(seen[0]["actor"], json!({ "subject": "co" }));
        let colleague = seen[0]["integration"]["availableActions"].clone();
        let mine = own["integration"]["availableActions"].clone();
        assert!(
            mine.as_array()
                .expect("actions")
                .contains(&json!("RECONNECT"))
        );
        assert!(
            !colleague
                .as_array()
                .expect("actions")
                .contains(&json!("RECONNECT"))
        );

        for _ in 0..3 {
            officers.push(open("co", &[Compliance]).await);
        }
        // An unmeasured change: every new subscription is following by its end.
        reject(warm, &mut officers, &mut owner, &mut peer).await;
        let (four, seen, own) = reject(measured, &mut officers, &mut owner, &mut peer).await;
        assert!(seen.iter().all(|e| e == &seen[0]), "{seen:?}");
        assert_eq!(seen[0]["integration"]["availableActions"], colleague);
        assert_eq!(own["integration"]["availableActions"], mine);
        assert_eq!(
            four, alone,
            "four identical subscriptions cost what one did ({alone} statements)"
        );
    }
);

/// A second instance on `b`'s PostgreSQL database, reached through a proxy the test
/// can cut, serving HTTP on its own port: the instance, its base URL and the proxy.
async fn instance_through_proxy(
    b: &crate::common::TestApp,
) -> (socialgate::Socialgate, String, crate::proxy::Proxy) {
    use crate::proxy::Proxy;
    use socialgate::{Socialgate, store::Store};

    // Instance A: same database, reached through the proxy.
    let url = url::Url::parse(&b.url).expect("url");
    let target = format!(
        "{}:{}",
        url.host_str().expect("host"),
        url.port().unwrap_or(5432)
    )
    .parse::<std::net::SocketAddr>()
    .expect("addr");
    let proxy = Proxy::start(target).await;
    let mut via_proxy = url.clone();
    via_proxy.set_port(Some(proxy.addr.port())).expect("port");
    let mut config = b.app.config.clone();
    config.database_url = via_proxy.to_string();
    let store = Store::connect(&config.database_url)
        .await
        .expect("connect A");
    let a = Socialgate::with_store(config, store)
        .await
        .expect("instance A");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let a_base = format!("http://{}", listener.local_addr().expect("addr"));
    let router = a.router();
    let limits = a.app().config.serve_limits();
    tokio::spawn(socialgate::http::serve(
        listener,
        router,
        limits,
        std::future::pending(),
    ));

    (a, a_base, proxy)
}
