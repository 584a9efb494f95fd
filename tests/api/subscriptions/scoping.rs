//! Both protocols, auth and its close codes, tenant and role scoping, and resume with
//! `after`.

use super::*;

db_test!(
    scoped_in_order_over_both_protocols_and_resumable,
    async |app: TestApp| {
        for protocol in [Protocol::TransportWs, Protocol::Legacy] {
            let tenant = format!("feed-{protocol:?}");
            let owner = app.actor(&tenant, "adv", &[Advisor]).await;
            let colleague = app.actor(&tenant, "col", &[Advisor]).await;
            let co = app.actor(&tenant, "co", &[Compliance]).await;
            let elsewhere = format!("elsewhere-{protocol:?}");
            let stranger = app.actor(&elsewhere, "adv", &[Advisor]).await;
            let stranger_co = app.actor(&elsewhere, "co", &[Compliance]).await;
            let id = |s: String| crate::common::integration_id(&s);
            let own = id(app.connect(&owner, Network::Linkedin, "own").await);
            let theirs = id(app.connect(&colleague, Network::Linkedin, "theirs").await);
            let foreign = id(app.connect(&stranger, Network::Linkedin, "foreign").await);

            let mut compliance = Ws::connect(&app.base, protocol).await;
            compliance
                .init(&app.token(&tenant, "co", &[Compliance]))
                .await;
            // From the current head: whenever the subscriptions start, they see every
            // change made from here on.
            let head = app.head(&tenant).await;
            compliance
                .subscribe("feed", FEED, json!({ "after": head }))
                .await;
            let mut advisor = Ws::connect(&app.base, protocol).await;
            advisor.init(&app.token(&tenant, "adv", &[Advisor])).await;
            advisor
                .subscribe("feed", FEED, json!({ "after": head }))
                .await;

            review::approve(&app.app, &co, theirs, None, None)
                .await
                .expect("approve theirs");
            review::approve(&app.app, &stranger_co, foreign, None, None)
                .await
                .expect("approve foreign");
            review::approve(&app.app, &co, own, None, None)
                .await
                .expect("approve own");

            let first = compliance.event(WAIT).await;
            assert_eq!(change(&first), ("col".into(), "ACTIVE".into()), "{first}");
            assert_eq!(
                first["integrationStatusChanged"]["previousStatus"],
                "PENDING"
            );
            assert_eq!(first["integrationStatusChanged"]["actor"]["subject"], "co");
            let second = compliance.event(WAIT).await;
            assert_eq!(
                change(&second),
                ("adv".into(), "ACTIVE".into()),
                "never another tenant's: {second}"
            );
            let mine = advisor.event(WAIT).await;
            assert_eq!(
                change(&mine),
                ("adv".into(), "ACTIVE".into()),
                "advisors see only their own: {mine}"
            );
            assert_eq!(advisor.next(SECOND).await, Got::Nothing);

            // Disconnect, miss three changes, resume after the last one seen.
            let cursor = second["integrationStatusChanged"]["cursor"]
                .as_str()
                .expect("cursor")
                .to_owned();
            compliance.close().await;
            lifecycle::expire(&app.app, owner.tenant_id, own, StatusReason::TokenExpired)
                .await
                .expect("expire");
            review::add_note(&app.app, &co, theirs, "noted")
                .await
                .expect("note");
            lifecycle::invalidate(
                &app.app,
                owner.tenant_id,
                theirs,
                StatusReason::PageRoleLost,
            )
            .await
            .expect("invalidate");
            review::reject(&app.app, &co, own, "wrong", None)
                .await
                .expect_err("expired cannot be rejected");
            let mut resumed = Ws::connect(&app.base, protocol).await;
            resumed.init(&app.token(&tenant, "co", &[Compliance])).await;
            resumed
                .subscribe("feed", FEED, json!({ "after": cursor }))
                .await;
            let a = resumed.event(WAIT).await;
            let b = resumed.event(WAIT).await;
            assert_eq!(change(&a), ("adv".into(), "EXPIRED".into()), "{a}");
            assert_eq!(change(&b), ("col".into(), "INVALID".into()), "{b}");
            assert_eq!(b["integrationStatusChanged"]["reason"], "PAGE_ROLE_LOST");
            assert_eq!(
                resumed.next(SECOND).await,
                Got::Nothing,
                "nothing repeated, notes are not status changes"
            );
            // And then live.
            lifecycle::disconnect(&app.app, &owner, own, None)
                .await
                .expect("disconnect");
            let live = resumed.event(WAIT).await;
            assert_eq!(live["integrationStatusChanged"]["reason"], "DISCONNECTED");
            resumed.close().await;
            advisor.close().await;
        }
    }
);

db_test!(
    sockets_authenticate_in_connection_init,
    async |app: TestApp| {
        for protocol in [Protocol::TransportWs, Protocol::Legacy] {
            let mut ws = Ws::connect(&app.base, protocol).await;
            ws.send(json!({ "type": "connection_init", "payload": {} }))
                .await;
            let mut closed = ws.next(WAIT).await;
            if let Got::Message(m) = &closed {
                assert_eq!(
                    m["type"], "connection_error",
                    "the legacy protocol says why first"
                );
                closed = ws.next(WAIT).await;
            }
            assert_eq!(closed, Got::Closed(4403), "no token ({protocol:?})");

            let mut ws = Ws::connect(&app.base, protocol).await;
            ws.send(json!({ "type": "connection_init", "payload": { "Authorization": "Bearer not-a-token" } })).await;
            let mut closed = ws.next(WAIT).await;
            if matches!(closed, Got::Message(_)) {
                closed = ws.next(WAIT).await;
            }
            assert_eq!(closed, Got::Closed(4403), "bad token ({protocol:?})");

            // A token that expires in two seconds: accepted, then the socket closes.
            let short = app
                .minter
                .mint("ttl", "co", &[Compliance], Duration::from_secs(2))
                .expect("mint");
            let mut ws = Ws::connect(&app.base, protocol).await;
            ws.init(&short).await;
            ws.subscribe("feed", FEED, json!({})).await;
            let started = std::time::Instant::now();
            assert_eq!(
                ws.next(WAIT).await,
                Got::Closed(4403),
                "no socket outlives its token"
            );
            assert!(started.elapsed() < Duration::from_secs(5));
        }
        // Nothing within ten seconds: 4408.
        let mut silent = Ws::connect(&app.base, Protocol::TransportWs).await;
        assert_eq!(
            silent.next(Duration::from_secs(15)).await,
            Got::Closed(4408)
        );
        // The Origin allow-list applies at the upgrade.
        assert!(
            Ws::connect_from(&app.base, Protocol::TransportWs, "https://evil.example.net")
                .await
                .is_err()
        );
    }
);

db_test!(
    a_burst_of_ten_thousand_reaches_every_subscriber_once_in_order,
    async |app: TestApp| {
        let owner = app.actor("burst", "adv", &[Advisor]).await;
        let co = app.actor("burst", "co", &[Compliance]).await;
        let id =
            crate::common::integration_id(&app.connect(&owner, Network::Linkedin, "busy").await);
        review::approve(&app.app, &co, id, None, None)
            .await
            .expect("approve");
        let query = "subscription($after: String) { integrationStatusChanged(after: $after) { sequence status } }";
        let from = json!({ "after": app.head("burst").await });
        let mut subscribers = Vec::new();
        for (n, protocol) in [
            Protocol::TransportWs,
            Protocol::Legacy,
            Protocol::TransportWs,
        ]
        .into_iter()
        .enumerate()
        {
            let mut ws = Ws::connect(&app.base, protocol).await;
            let token = if n == 2 {
                app.token("burst", "adv", &[Advisor])
            } else {
                app.token("burst", "co", &[Compliance])
            };
            ws.init(&token).await;
            ws.subscribe("burst", query, from.clone()).await;
            subscribers.push(ws);
        }
        // One more subscriber that reads nothing until the burst is over: it falls far
        // behind the bus buffer and must be served from the database instead.
        let mut sleeper = Ws::connect(&app.base, Protocol::TransportWs).await;
        sleeper.init(&app.token("burst", "co", &[Compliance])).await;
        sleeper.subscribe("burst", query, from.clone()).await;
        const CHANGES: i64 = 10_000;
        let server = app.app.clone();
        let producer = tokio::spawn(async move {
            for n in 0..CHANGES {
                if n % 2 == 0 {
                    lifecycle::expire(&server, owner.tenant_id, id, StatusReason::TokenExpired)
                        .await
                        .expect("expire");
                } else {
                    let again = lifecycle::NewAccount {
                        network: Network::Linkedin,
                        display_name: "Account".into(),
                        profile_url: None,
                        external_account_id: "busy".into(),
                        network_user_id: None,
                        scopes: vec!["openid".into(), "w_member_social".into()],
                        token_expires_at: None,
                        tokens: None,
                    };
                    lifecycle::reconnected(&server, &owner, id, again)
                        .await
                        .expect("reconnect");
                }
            }
        });
        let started = std::time::Instant::now();
        let readers: Vec<_> = subscribers
            .into_iter()
            .map(|mut ws| {
                tokio::spawn(async move {
                    // Connected (1), approved (2), then the burst.
                    for (expected_seq, n) in (3..).zip(0..CHANGES) {
                        let event = ws.event(Duration::from_secs(60)).await;
                        let e = &event["integrationStatusChanged"];
                        assert_eq!(
                            e["sequence"], expected_seq,
                            "in order, none twice, none missed"
                        );
                        assert_eq!(e["status"], if n % 2 == 0 { "EXPIRED" } else { "ACTIVE" });
                    }
                    assert_eq!(ws.next(Duration::from_millis(300)).await, Got::Nothing);
                })
            })
            .collect();
        producer.await.expect("producer");
        for (expected_seq, _) in (3..).zip(0..CHANGES) {
            let event = sleeper.event(Duration::from_secs(60)).await;
            let seq = &event["integrationStatusChanged"]["sequence"];
            assert_eq!(seq, expected_seq, "the slow subscriber misses nothing");
        }
        for reader in readers {
            reader.await.expect("subscriber");
        }
        eprintln!(
            "burst ({:?}): {CHANGES} changes to 3 subscribers in {:?}",
            app.backend,
            started.elapsed()
        );
    }
);

db_test!(
    a_replay_over_the_tenant_budget_slows_down_and_misses_nothing,
    config = |c: &mut socialgate::Config| c.replay_rate = 1,
    async |app: TestApp| {
        // One replayed event a second with bursts of two: subscribing from the start
        // again and again (each replay reads six events) spends the budget, so the
        // later replays wait for it to refill, and still miss and repeat nothing.
        let tenant = "replay-budget";
        let owner = app.actor(tenant, "adv", &[Advisor]).await;
        let co = app.actor(tenant, "co", &[Compliance]).await;
        let id = crate::common::integration_id(&app.connect(&owner, Network::Linkedin, "r").await);
        review::approve(&app.app, &co, id, None, None)
            .await
            .expect("approve");
        for _ in 0..2 {
            lifecycle::expire(&app.app, owner.tenant_id, id, StatusReason::TokenExpired)
                .await
                .expect("expire");
            let again = lifecycle::NewAccount {
                network: Network::Linkedin,
                display_name: "Account".into(),
                profile_url: None,
                external_account_id: "r".into(),
                network_user_id: None,
                scopes: vec!["openid".into(), "w_member_social".into()],
                token_expires_at: None,
                tokens: None,
            };
            lifecycle::reconnected(&app.app, &owner, id, again)
                .await
                .expect("reconnect");
        }
        let mut ws = Ws::connect(&app.base, Protocol::TransportWs).await;
        ws.init(&app.token(tenant, "co", &[Compliance])).await;
        for round in ["a", "b", "c"] {
            ws.subscribe(round, FEED, json!({ "after": "0" })).await;
            let mut sequences = Vec::new();
            for _ in 0..6 {
                let event = ws.event(WAIT).await;
                let sequence = &event["integrationStatusChanged"]["sequence"];
                sequences.push(sequence.as_i64().expect("seq"));
            }
            assert_eq!(sequences, vec![1, 2, 3, 4, 5, 6], "{round}: in order, once");
            ws.send(json!({ "id": round, "type": "complete" })).await;
            // The server confirms the end of that subscription.
            match ws.next(WAIT).await {
                Got::Message(m) => assert_eq!(m, json!({ "id": round, "type": "complete" })),
                other => panic!("{round}: {other:?}"),
            }
        }
    }
);
