//! `GET /graphql/ws`: subscriptions over WebSocket, `graphql-transport-ws` and the
//! legacy `graphql-ws` protocol.
//!
//! async-graphql runs the protocol; this module adds what a regulated dashboard
//! needs around it: the token comes in `connection_init` (never the URL) and a bad one
//! closes the socket with 4403; no `connection_init` within 10 s closes with 4408; the
//! socket closes with 4403 when the token's `exp` passes; an Origin allow-list at the
//! upgrade; caps on message size, subscriptions per connection and sockets per
//! tenant; a client that leaves a frame untaken for 30 s is let go; and a 1001 close
//! frame at shutdown so clients resume with `after`.

use std::{
    str::FromStr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use async_graphql::{
    Data,
    http::{WebSocket as Engine, WebSocketProtocols, WsMessage},
};
use axum::{
    Extension,
    extract::{
        State, WebSocketUpgrade,
        ws::{CloseFrame, Message, WebSocket},
    },
    http::{HeaderMap, StatusCode, header::ORIGIN},
    response::{IntoResponse, Response},
};
use futures_util::{SinkExt, StreamExt, future};
use tokio::time::Instant;

use super::{HttpState, admission::HeldPlace, sockets::Slot};
use crate::{
    auth::Claims,
    graphql::{context::RequestAuth, subscription::SubscriptionSlots},
    service::App,
    service::limits::Caller,
};

/// Largest message a client may send; a larger one closes the socket with 1009.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Beyond this the WebSocket layer itself drops the connection without reading on.
const HARD_MESSAGE_BYTES: usize = 1024 * 1024;
/// What each socket reads into. A dashboard's socket mostly writes; tungstenite's
/// default of 128 KiB was held by every idle socket and zero-filled again on every
/// read, a fifth of the CPU of a fan-out to thousands of sockets. Larger messages
/// still arrive (up to [`MAX_MESSAGE_BYTES`]), in more reads.
const READ_BUFFER_BYTES: usize = 4 * 1024;
/// How long one frame may wait for the client to take it. A client that stops reading
/// while its TCP stack keeps acknowledging with a zero window is never dropped by
/// TCP; it would keep its socket, its place under the tenant's and the user's socket
/// caps, and its subscriptions for good.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// Time a client has to send `connection_init`.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);

const PROTOCOLS: [&str; 2] = ["graphql-transport-ws", "graphql-ws"];

/// Who vouches for a socket's caller: the host, at the upgrade, or a bearer token in
/// `connection_init`.
enum Vouched {
    Host(Option<Claims>),
    Token,
}

/// What the connection learned at `connection_init`.
#[derive(Default)]
struct Session {
    /// When the token expires; set once the connection is acknowledged.
    expires_at: Mutex<Option<Instant>>,
    /// The socket's place under the tenant's and the user's caps, given back when the
    /// session ends.
    slot: Mutex<Option<Slot>>,
    /// Why `connection_init` was refused: close with this code.
    refused: Mutex<Option<(u16, String)>>,
    acknowledged: AtomicBool,
    /// The caller's tenant, whose request budget each subscription start spends.
    tenant: Mutex<Option<String>>,
}

pub(super) async fn upgrade(
    State(state): State<HttpState>,
    place: Option<Extension<HeldPlace>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    // Browsers always send Origin: only allowed ones may open a socket (any, in dev
    // mode without a list). Clients that are not browsers send none.
    if let Some(origin) = headers.get(ORIGIN).and_then(|o| o.to_str().ok())
        && !state.app.config.origins().accepts(origin)
    {
        return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
    }
    let protocol = headers
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
        .and_then(|list| {
            list.split(',')
                .map(str::trim)
                .find_map(|p| WebSocketProtocols::from_str(p).ok())
        });
    let Some(protocol) = protocol else {
        return (
            StatusCode::BAD_REQUEST,
            "use the graphql-transport-ws or graphql-ws subprotocol",
        )
            .into_response();
    };
    // A host that authenticates its own way vouches for the caller at the upgrade
    // (its cookie or header is on this request, not in `connection_init`).
    let vouched = match &state.app.authenticate {
        Some(host) => match host.0.caller(&headers).await {
            Ok(claims) => Vouched::Host(claims),
            Err(why) => return (StatusCode::UNAUTHORIZED, why).into_response(),
        },
        None => Vouched::Token,
    };
    // The protocol-level bound is wider than ours so that a message between the two is
    // read and answered with 1009 (message too big) instead of a dropped connection.
    ws.max_message_size(HARD_MESSAGE_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        .max_frame_size(HARD_MESSAGE_BYTES)
        .protocols(PROTOCOLS)
        .on_upgrade(move |socket| async move {
            // The socket keeps its connection's place under the listener's caps (served
            // in-process, without the listener, there is none).
            let _place = place;
            serve(state, socket, protocol, vouched).await;
        })
}

/// The token of a `connection_init` payload: `Authorization: Bearer …` or `token`.
fn token_of(payload: &serde_json::Value) -> Option<String> {
    let header = ["Authorization", "authorization"]
        .iter()
        .find_map(|k| payload.get(*k).and_then(|v| v.as_str()))
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
    header
        .or_else(|| payload.get("token").and_then(|v| v.as_str()))
        .map(str::to_owned)
}

/// Resolves once the server shuts down.
/// (A dropped sender also resolves it: the app is going away.)
async fn shutting_down(rx: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|down| *down).await;
}

fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// Admits a socket at `connection_init`: a valid token, and room under the tenant's
/// cap. A refusal records the close code the socket ends with.
async fn admit(
    state: HttpState,
    session: Arc<Session>,
    payload: serde_json::Value,
    vouched: Vouched,
) -> async_graphql::Result<Data> {
    let refuse = |code: u16, why: String| {
        if let Ok(mut slot) = session.refused.lock() {
            *slot = Some((code, why.clone()));
        }
        Err(async_graphql::Error::new(why))
    };
    let app = &state.app;
    let claims: Claims = match vouched {
        Vouched::Host(Some(claims)) => claims,
        Vouched::Host(None) => return refuse(4403, "sign in first".into()),
        Vouched::Token => {
            let Some(token) = token_of(&payload) else {
                return refuse(
                    4403,
                    "connection_init must carry the token: {\"Authorization\": \"Bearer …\"}"
                        .into(),
                );
            };
            match app.verifier.verify(&token) {
                Ok(claims) => claims,
                Err(e) => return refuse(4403, e.to_string()),
            }
        }
    };
    let actor =
        match crate::service::viewer::authenticate(&app.store, &app.callers, &claims, None).await {
            Ok(actor) => actor,
            Err(e) => return refuse(4500, e.public_message()),
        };
    if let Ok(mut tenant) = session.tenant.lock() {
        *tenant = Some(claims.tenant_id.clone());
    }
    let slot = match state.sockets.admit(actor.tenant_id, actor.user_id) {
        Ok(slot) => slot,
        Err(why) => return refuse(4429, why),
    };
    if let Ok(mut held) = session.slot.lock() {
        *held = Some(slot);
    }
    let now = jsonwebtoken::get_current_timestamp();
    let left = Duration::from_secs(claims.exp.saturating_sub(now));
    if let Ok(mut expires) = session.expires_at.lock() {
        *expires = Some(Instant::now() + left);
    }
    session.acknowledged.store(true, Ordering::SeqCst);
    let mut data = Data::default();
    // A socket lives for hours: its loaders never serve a cached row.
    data.insert(RequestAuth::new(Ok(Some(claims)), None).uncached());
    Ok(data)
}

/// Whether a client message starts a subscription (`subscribe`, or the legacy
/// protocol's `start`).
fn starts_subscription(bytes: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Kind<'a> {
        #[serde(borrow, rename = "type")]
        kind: &'a str,
    }
    serde_json::from_slice::<Kind<'_>>(bytes).is_ok_and(|m| matches!(m.kind, "subscribe" | "start"))
}

/// The client's messages for the protocol engine. A message over the limit ends the
/// input and leaves close code 1009 in the session, which the serving loop sends.
/// Starting a subscription spends one request of the tenant's budget, as a request
/// over HTTP does (each may replay the feed from its cursor): past it the input ends
/// with 4429.
fn incoming(
    stream: futures_util::stream::SplitStream<WebSocket>,
    session: Arc<Session>,
    app: Arc<App>,
) -> impl futures_util::Stream<Item = Vec<u8>> + Send + Unpin + 'static {
    Box::pin(
        stream
            .take_while(move |m| {
                let (fits, body) = match m {
                    Ok(Message::Text(text)) => {
                        (text.len() <= MAX_MESSAGE_BYTES, text.as_str().as_bytes())
                    }
                    Ok(Message::Binary(bytes)) => (bytes.len() <= MAX_MESSAGE_BYTES, &bytes[..]),
                    Ok(_) => (true, &[][..]),
                    Err(_) => (false, &[][..]),
                };
                if !fits && let Ok(mut refused) = session.refused.lock() {
                    *refused = Some((
                        1009,
                        format!("messages are limited to {MAX_MESSAGE_BYTES} bytes"),
                    ));
                }
                let tenant = session.tenant.lock().ok().and_then(|t| t.clone());
                let over_budget = fits
                    && starts_subscription(body)
                    && tenant.is_some_and(|tenant| {
                        app.limits.check_rate(&Caller::Tenant(tenant)).is_err()
                    });
                if over_budget && let Ok(mut refused) = session.refused.lock() {
                    *refused = Some((
                        4429,
                        "too many subscriptions started: the tenant's request budget is \
                         spent; reconnect in a few seconds"
                            .to_owned(),
                    ));
                }
                future::ready(fits && !over_budget)
            })
            .filter_map(|m| async move {
                match m {
                    Ok(Message::Text(text)) => Some(text.as_str().as_bytes().to_vec()),
                    Ok(Message::Binary(bytes)) => Some(bytes.to_vec()),
                    _ => None,
                }
            }),
    )
}

/// Sends `message` unless the client has not taken it within `limit`; whether it went.
async fn send_within<S, M>(sink: &mut S, message: M, limit: Duration) -> bool
where
    S: futures_util::Sink<M> + Unpin,
{
    matches!(
        tokio::time::timeout(limit, sink.send(message)).await,
        Ok(Ok(()))
    )
}

async fn serve(
    state: HttpState,
    socket: WebSocket,
    protocol: WebSocketProtocols,
    vouched: Vouched,
) {
    let (mut sink, stream) = socket.split();
    let session = Arc::new(Session::default());
    let input = incoming(stream, session.clone(), state.app.clone());
    let init_session = session.clone();
    let admitting = state.clone();
    let mut connection = Data::default();
    connection.insert(SubscriptionSlots::default());
    let engine = Engine::new(state.schema.clone(), Box::pin(input), protocol)
        .connection_data(connection)
        .on_connection_init(move |payload| admit(admitting, init_session, payload, vouched));
    let mut engine = Box::pin(engine);
    let deadline = Instant::now() + INIT_TIMEOUT;
    let mut shutdown = state.app.shutdown.subscribe();
    loop {
        let expires_at = session.expires_at.lock().ok().and_then(|e| *e);
        let acknowledged = session.acknowledged.load(Ordering::SeqCst);
        let timer = match (acknowledged, expires_at) {
            (true, Some(at)) => at,
            _ => deadline,
        };
        // Shutdown first: the feeds end at shutdown too, and their `complete` would
        // tell clients the subscription is over for good, when it is only this
        // server going away (1001: resume elsewhere with `after`). It can turn true
        // between polling that branch and the engine's, hence the check after.
        let outgoing = tokio::select! {
            biased;
            () = shutting_down(&mut shutdown) => {
                send_within(
                    &mut sink,
                    close(1001, "server shutting down; resume with after"),
                    SEND_TIMEOUT,
                )
                .await;
                break;
            }
            _ = tokio::time::sleep_until(timer) => {
                let frame = if acknowledged { close(4403, "token expired") } else { close(4408, "connection_init timeout") };
                send_within(&mut sink, frame, SEND_TIMEOUT).await;
                break;
            }
            message = engine.next() => message,
        };
        // The feeds may have seen the shutdown while this loop polled: their
        // `complete` is not sent, the socket closes as above.
        if *shutdown.borrow() {
            send_within(
                &mut sink,
                close(1001, "server shutting down; resume with after"),
                SEND_TIMEOUT,
            )
            .await;
            break;
        }
        let refused = session.refused.lock().ok().and_then(|mut r| r.take());
        match (outgoing, refused) {
            (Some(WsMessage::Text(text)), None) => {
                if !send_within(&mut sink, Message::Text(text.into()), SEND_TIMEOUT).await {
                    tracing::debug!("closing a socket that is gone or stopped reading");
                    break;
                }
            }
            (Some(WsMessage::Text(text)), Some((code, why))) => {
                // The legacy protocol says connection_error first; then we close.
                send_within(&mut sink, Message::Text(text.into()), SEND_TIMEOUT).await;
                send_within(&mut sink, close(code, &why), SEND_TIMEOUT).await;
                break;
            }
            (Some(WsMessage::Close(code, reason)), refused) => {
                let (code, reason) = refused.unwrap_or((code, reason));
                send_within(&mut sink, close(code, &reason), SEND_TIMEOUT).await;
                break;
            }
            (None, refused) => {
                if let Some((code, why)) = refused {
                    send_within(&mut sink, close(code, &why), SEND_TIMEOUT).await;
                }
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests;
