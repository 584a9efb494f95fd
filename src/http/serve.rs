//! Accepting connections with bounds a hostile client cannot stretch (see
//! [`admission`](super::admission)): caps on open connections in all and per address,
//! room made by closing connections that never sent a request, and a deadline from
//! accept to the first complete request head. hyper's header timeout covers the rest
//! of the head and an idle kept-alive connection (waiting for the next request is
//! waiting for its head); a WebSocket keeps its connection's place until it closes.

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use axum::{Router, extract::ConnectInfo};
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::conn::auto::Builder,
    service::TowerToHyperService,
};
use tokio::{
    io::AsyncWriteExt,
    net::{TcpListener, TcpStream},
    sync::watch,
};
use tower::ServiceExt;

use super::{
    admission::{Admission, HeldPlace, Refused},
    first_bytes,
};
pub use crate::config::ServeLimits;

/// What a client past a cap reads before the connection closes.
fn busy(refused: Refused) -> Vec<u8> {
    let message = match refused {
        Refused::Full => "too many connections",
        Refused::Address => "too many connections from one address",
    };
    let body = format!(
        "{{\"errors\":[{{\"message\":\"{message}\",\"extensions\":{{\"code\":\"RATE_LIMITED\"}}}}]}}"
    );
    format!(
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: application/json\r\n\
         Connection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets open requests
/// finish. Each request carries the client's address as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let header_timeout = limits.header_timeout;
    let admission = Admission::new(limits);
    // Every connection holds a receiver: the sender learns when the last one is gone.
    let (stopping, stop) = watch::channel(false);
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(header_timeout)
        .keep_alive_timeout(header_timeout);
    let builder = Arc::new(builder);
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a moment, go on.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let connection = Connection {
            admission: admission.clone(),
            builder: builder.clone(),
            stop: stop.clone(),
            router: router.clone(),
            header_timeout,
        };
        tokio::spawn(connection.run(stream, remote));
    }
    // Connections finish their requests and close; wait until the last one has.
    drop(stop);
    let _ = stopping.send(true);
    stopping.closed().await;
    Ok(())
}

/// What one accepted connection needs.
struct Connection {
    admission: Arc<Admission>,
    builder: Arc<Builder<TokioExecutor>>,
    /// Turns true when the listener stops.
    stop: watch::Receiver<bool>,
    router: Router,
    header_timeout: Duration,
}

/// Resolves once the listener stops (or is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

impl Connection {
    async fn run(mut self, mut stream: TcpStream, remote: SocketAddr) {
        let (place, closed) = match self.admission.admit(remote.ip().to_canonical()).await {
            Ok(admitted) => admitted,
            Err(refused) => {
                let _ = stream.write_all(&busy(refused)).await;
                let _ = stream.shutdown().await;
                return;
            }
        };
        let _ = stream.set_nodelay(true);
        // Closed to make room: only ever before the first request head (once proven,
        // the signal's sender is dropped and this waits for ever).
        let evicted = async move {
            if closed.await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        tokio::pin!(evicted);
        let place = HeldPlace(Arc::new(place));
        let first = tokio::select! {
            first = first_bytes::read(&mut stream, self.header_timeout) => first,
            () = &mut evicted => None,
            () = stopped(&mut self.stop) => None,
        };
        let Some(first) = first else {
            return;
        };
        let held = place.clone();
        let service =
            self.router
                .map_request(move |mut request: http::Request<hyper::body::Incoming>| {
                    // A complete request head: the connection is in use.
                    held.0.proven();
                    request
                        .extensions_mut()
                        .insert(ConnectInfo::<SocketAddr>(remote));
                    request.extensions_mut().insert(held.clone());
                    request
                });
        let io = TokioIo::new(first_bytes::Replayed::new(first, stream));
        let connection = self
            .builder
            .serve_connection_with_upgrades(io, TowerToHyperService::new(service));
        tokio::pin!(connection);
        tokio::select! {
            _ = connection.as_mut() => {}
            () = &mut evicted => {}
            () = stopped(&mut self.stop) => {
                // Finish the requests under way, then close.
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
        }
        drop(place);
    }
}
