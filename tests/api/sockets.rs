//! Socket caps: one person cannot take the whole tenant's share of sockets, and an
//! oversized message is answered with close code 1009 (message too big), not a
//! dropped connection.

use std::time::Duration;

use serde_json::json;
use socialgate::{
    auth::Role::{Advisor, Compliance},
    http::sockets::MAX_PER_USER,
};

use crate::{
    common::TestApp,
    db_test,
    ws::{Got, Protocol, Ws},
};

const WAIT: Duration = Duration::from_secs(10);

db_test!(
    a_user_is_capped_before_the_tenant_and_big_messages_close_with_1009,
    async |app: TestApp| {
        let advisor = app.token("caps", "adv", &[Advisor]);
        let mut held = Vec::new();
        for _ in 0..MAX_PER_USER {
            let mut ws = Ws::connect(&app.base, Protocol::TransportWs).await;
            ws.init(&advisor).await;
            held.push(ws);
        }
        // The advisor is at their cap; their compliance officer still gets in.
        let mut over = Ws::connect(&app.base, Protocol::TransportWs).await;
        over.send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {advisor}") } }))
            .await;
        assert_eq!(over.next(WAIT).await, Got::Closed(4429));
        let mut officer = Ws::connect(&app.base, Protocol::TransportWs).await;
        officer.init(&app.token("caps", "co", &[Compliance])).await;

        // Closing one of the advisor's sockets gives its place back.
        held.pop().expect("a socket").close().await;
        let mut again = Ws::connect(&app.base, Protocol::TransportWs).await;
        let ok = tokio::time::timeout(WAIT, async {
            loop {
                again
                    .send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {advisor}") } }))
                    .await;
                match again.next(WAIT).await {
                    Got::Message(m) if m["type"] == "connection_ack" => return true,
                    Got::Closed(4429) => {
                        // The server had not seen the close yet: try on a new socket.
                        again = Ws::connect(&app.base, Protocol::TransportWs).await;
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
        })
        .await;
        assert_eq!(ok, Ok(true));

        // A message over 64 KiB: close 1009.
        let big = "x".repeat(70 * 1024);
        officer
            .send(json!({ "id": "1", "type": "subscribe", "payload": { "query": big } }))
            .await;
        assert_eq!(officer.next(WAIT).await, Got::Closed(1009));
    }
);

db_test!(
    subscribing_in_a_loop_spends_the_tenants_budget,
    config = |c: &mut socialgate::Config| c.tenant_rate = 2,
    async |app: TestApp| {
        let officer = app.token("churn", "co", &[Compliance]);
        let mut ws = Ws::connect(&app.base, Protocol::TransportWs).await;
        ws.init(&officer).await;
        let feed = "subscription { integrationStatusChanged(after: \"0\") { sequence } }";
        let mut closed = None;
        for n in 0..20 {
            let id = format!("s{n}");
            ws.subscribe(&id, feed, json!({})).await;
            ws.send(json!({ "type": "complete", "id": id })).await;
            if let Got::Closed(code) = ws.next(Duration::from_millis(200)).await {
                closed = Some(code);
                break;
            }
        }
        assert_eq!(
            closed,
            Some(4429),
            "subscribe-and-complete in a loop is held to the tenant's request budget"
        );
        // Another tenant is not affected.
        let other = app.token("calm", "co", &[Compliance]);
        let mut calm = Ws::connect(&app.base, Protocol::TransportWs).await;
        calm.init(&other).await;
        calm.subscribe("one", feed, json!({})).await;
        assert!(!matches!(
            calm.next(Duration::from_millis(300)).await,
            Got::Closed(_)
        ));
    }
);
