//! The socket's send deadline, against a peer that stops reading.

use std::time::Duration;

use tokio_tungstenite::{
    WebSocketStream,
    tungstenite::{Message, protocol::Role},
};

use super::send_within;

/// A peer that never reads: once the pipe between them is full, frames wait, and
/// the wait ends at the limit instead of never.
#[tokio::test]
async fn a_client_that_stops_reading_is_let_go() {
    let (ours, _theirs) = tokio::io::duplex(1024);
    let mut socket = WebSocketStream::from_raw_socket(ours, Role::Server, None).await;
    let frame = Message::Text("x".repeat(512).into());
    let limit = Duration::from_millis(200);
    assert!(send_within(&mut socket, frame.clone(), limit).await);
    let started = std::time::Instant::now();
    let mut sent = 1;
    while send_within(&mut socket, frame.clone(), limit).await {
        sent += 1;
        assert!(sent < 100, "the pipe never filled");
    }
    assert!(started.elapsed() >= limit);
    assert!(started.elapsed() < limit * 10, "gave up late");
}
