//! A small WebSocket client speaking both GraphQL subscription protocols.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `graphql-transport-ws`.
    TransportWs,
    /// The legacy `graphql-ws` (subscriptions-transport-ws).
    Legacy,
}

impl Protocol {
    fn name(self) -> &'static str {
        match self {
            Protocol::TransportWs => "graphql-transport-ws",
            Protocol::Legacy => "graphql-ws",
        }
    }
}

pub struct Ws {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    protocol: Protocol,
}

/// How a wait on the socket ended.
#[derive(Debug, PartialEq)]
pub enum Got {
    Message(Value),
    Closed(u16),
    Nothing,
}

impl Ws {
    /// Connects from the allowed test origin.
    pub async fn connect(base: &str, protocol: Protocol) -> Ws {
        Self::connect_from(base, protocol, "https://admin.example.com")
            .await
            .expect("websocket")
    }

    pub async fn connect_from(
        base: &str,
        protocol: Protocol,
        origin: &'static str,
    ) -> Result<Ws, String> {
        let url = format!("{}/graphql/ws", base.replace("http://", "ws://"));
        let mut request = url.into_client_request().map_err(|e| e.to_string())?;
        let headers = request.headers_mut();
        headers.insert(
            "sec-websocket-protocol",
            HeaderValue::from_static(protocol.name()),
        );
        headers.insert("origin", HeaderValue::from_static(origin));
        let (socket, _) = connect_async(request).await.map_err(|e| e.to_string())?;
        Ok(Ws { socket, protocol })
    }

    /// Wraps a socket connected elsewhere (with headers of the test's own).
    pub fn from_socket(
        socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
        protocol: Protocol,
    ) -> Ws {
        Ws { socket, protocol }
    }

    pub async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("send");
    }

    /// The next protocol message (keep-alives skipped), a close, or nothing in `wait`.
    pub async fn next(&mut self, wait: Duration) -> Got {
        loop {
            match tokio::time::timeout(wait, self.socket.next()).await {
                Err(_) => return Got::Nothing,
                Ok(None) | Ok(Some(Err(_))) => return Got::Closed(1006),
                Ok(Some(Ok(Message::Close(frame)))) => {
                    return Got::Closed(frame.map_or(1005, |f| u16::from(f.code)));
                }
                Ok(Some(Ok(Message::Text(text)))) => {
                    let value: Value = serde_json::from_str(&text).expect("json");
                    if value["type"] == "ka" || value["type"] == "ping" {
                        continue;
                    }
                    return Got::Message(value);
                }
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// Sends `connection_init` with `token` and waits for the acknowledgement.
    pub async fn init(&mut self, token: &str) {
        self.send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } })).await;
        match self.next(Duration::from_secs(10)).await {
            Got::Message(m) if m["type"] == "connection_ack" => {}
            other => panic!("no connection_ack: {other:?}"),
        }
    }

    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        let kind = match self.protocol {
            Protocol::TransportWs => "subscribe",
            Protocol::Legacy => "start",
        };
        self.send(json!({ "id": id, "type": kind, "payload": { "query": query, "variables": variables } })).await;
    }

    /// The next event's `data`, or panics after `wait`.
    pub async fn event(&mut self, wait: Duration) -> Value {
        match self.next(wait).await {
            Got::Message(m) if m["type"] == "next" || m["type"] == "data" => {
                assert!(m["payload"]["errors"].is_null(), "{m}");
                m["payload"]["data"].clone()
            }
            other => panic!("expected an event, got {other:?}"),
        }
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}
