//! The listener's bounds on connections, over real TCP: no number of idle or silent
//! connections keeps a health check out (the oldest connection that never sent a
//! request is closed to make room); a client that sends nothing, or half a head, is
//! cut off; one address holds at most its share (proxies excepted); a WebSocket keeps
//! its connection's place; and the place of every closed connection comes back.

use std::{net::SocketAddr, time::Duration};

use socialgate::http::{ServeLimits, serve};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

use crate::{common::TestApp, db_test};

/// How long a test waits for the server to act before calling it a failure.
const PATIENCE: Duration = Duration::from_secs(10);

const HEALTH: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

/// A server of the test's app on its own port with `limits`.
async fn listening(app: &TestApp, limits: ServeLimits) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = socialgate::http::router(
        app.app.clone(),
        socialgate::graphql::build(app.app.clone()),
        Default::default(),
        axum::Router::new(),
    );
    tokio::spawn(serve(listener, router, limits, std::future::pending()));
    addr
}

/// Limits for a test: `max` connections, a one-second head deadline, no proxy.
fn tight(max: usize, per_address: usize) -> ServeLimits {
    ServeLimits {
        max_connections: max,
        max_per_address: per_address,
        header_timeout: Duration::from_secs(1),
        trusted: Vec::new(),
    }
}

/// Everything the server sends until it closes the connection.
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .ok();
    String::from_utf8_lossy(&answer).into_owned()
}

async fn health(addr: SocketAddr) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(HEALTH).await.expect("write");
    read_to_close(&mut stream).await
}

db_test!(
    idle_connections_never_keep_a_health_check_out,
    async |app: TestApp| {
        let addr = listening(&app, tight(8, 64)).await;
        // Every place taken by connections that send nothing, or one byte.
        let mut silent = Vec::new();
        for n in 0..8 {
            let mut stream = TcpStream::connect(addr).await.expect("connect");
            if n % 2 == 0 {
                stream.write_all(b"G").await.expect("write");
            }
            silent.push(stream);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        // A health check gets in at once: the oldest silent connection makes room.
        let started = std::time::Instant::now();
        let answer = health(addr).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(
            started.elapsed() < Duration::from_millis(900),
            "answered without waiting for the deadline"
        );
        // Silent connections are closed within the head deadline, answered nothing.
        for mut stream in silent {
            let cut = read_to_close(&mut stream).await;
            assert!(!cut.contains("200 OK"), "{cut}");
        }
    }
);

db_test!(
    half_heads_are_cut_and_busy_places_are_refused,
    async |app: TestApp| {
        let addr = listening(&app, tight(2, 64)).await;
        // Half a head: cut off, never answered.
        let mut slow = TcpStream::connect(addr).await.expect("connect");
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("write");
        let cut = read_to_close(&mut slow).await;
        assert!(!cut.contains("200 OK"), "half a head got an answer: {cut}");

        // Two connections in use (a request each, kept alive): a third is told so.
        let mut kept = Vec::new();
        for _ in 0..2 {
            let mut stream = TcpStream::connect(addr).await.expect("connect");
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                .await
                .expect("write");
            let mut first = [0u8; 12];
            stream.read_exact(&mut first).await.expect("answer");
            assert_eq!(&first, b"HTTP/1.1 200");
            kept.push(stream);
        }
        let refused = health(addr).await;
        assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
        assert!(refused.contains("RATE_LIMITED"), "{refused}");
        let (head, body) = refused.split_once("\r\n\r\n").expect("head and body");
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("Content-Length: "))
            .and_then(|value| value.parse().ok())
            .expect("a length");
        assert_eq!(length, body.len(), "the length says what the body holds");

        // Kept-alive connections idle out; their places come back.
        for mut stream in kept {
            read_to_close(&mut stream).await;
        }
        let ok = tokio::time::timeout(PATIENCE, async {
            loop {
                if health(addr).await.starts_with("HTTP/1.1 200") {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await;
        assert!(ok.is_ok(), "the freed places were not given back");
    }
);

db_test!(
    one_address_holds_its_share_and_a_proxy_is_trusted,
    async |app: TestApp| {
        let capped = listening(&app, tight(16, 2)).await;
        let mut held = Vec::new();
        for _ in 0..2 {
            let mut stream = TcpStream::connect(capped).await.expect("connect");
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                .await
                .expect("write");
            held.push(stream);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let refused = health(capped).await;
        assert!(refused.contains("one address"), "{refused}");

        // The same from a trusted proxy's address: everyone behind it shares it.
        let proxied = listening(
            &app,
            ServeLimits {
                trusted: vec!["127.0.0.1/32".parse().expect("net")],
                ..tight(16, 2)
            },
        )
        .await;
        let mut behind = Vec::new();
        for _ in 0..2 {
            let mut stream = TcpStream::connect(proxied).await.expect("connect");
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                .await
                .expect("write");
            behind.push(stream);
        }
        assert!(health(proxied).await.starts_with("HTTP/1.1 200"));
        drop((held, behind));
    }
);

db_test!(
    a_websocket_keeps_its_connections_place,
    async |app: TestApp| {
        let addr = listening(&app, tight(2, 64)).await;
        let url = format!("ws://{addr}/graphql/ws");
        let mut sockets = Vec::new();
        for _ in 0..2 {
            let mut request =
                tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
                    url.as_str(),
                )
                .expect("request");
            request.headers_mut().insert(
                "sec-websocket-protocol",
                "graphql-transport-ws".parse().expect("header"),
            );
            let (socket, _) = tokio_tungstenite::connect_async(request)
                .await
                .expect("upgrade");
            sockets.push(socket);
        }
        // Both places are held by upgraded sockets (no connection_init sent yet).
        let refused = health(addr).await;
        assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
        // Without connection_init they are closed (4408) and give their places back.
        let ok = tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                if health(addr).await.starts_with("HTTP/1.1 200") {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
        .await;
        assert!(
            ok.is_ok(),
            "a socket without connection_init kept its place"
        );
        drop(sockets);
    }
);

db_test!(
    readiness_says_no_while_the_server_drains,
    async |app: TestApp| {
        let server = app.instance(|_| {}).await;
        let base = crate::common::served(&server).await;
        let ready = || async {
            app.http
                .get(format!("{base}/readyz"))
                .send()
                .await
                .expect("readyz")
                .status()
                .as_u16()
        };
        assert_eq!(ready().await, 200);
        server.begin_shutdown();
        assert_eq!(ready().await, 503, "a draining server sends work elsewhere");
        let live = app
            .http
            .get(format!("{base}/healthz"))
            .send()
            .await
            .expect("healthz");
        assert_eq!(live.status(), 200, "still alive while it drains");
    }
);

db_test!(serve_owns_the_ordered_stop, async |app: TestApp| {
    let server = app.instance(|_| {}).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    assert!(health(addr).await.starts_with("HTTP/1.1 200"));
    let _ = stop.send(());
    // Jobs end, requests drain, the pool closes: serve returns by itself.
    let ended = tokio::time::timeout(PATIENCE, serving)
        .await
        .expect("serve returns after the stop")
        .expect("join");
    assert!(ended.is_ok(), "{ended:?}");
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "nothing listens after the stop"
    );
});
