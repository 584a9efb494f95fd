//! One way to start and stop a server: [`Socialgate::serve`] (its own router) and
//! [`Socialgate::serve_router`] (a host's router with socialgate nested in it) own the
//! listening, the background jobs and the ordered shutdown, so the binary and an
//! embedding host run the same sequence:
//!
//! 1. serve on the listener (and on `SOCIALGATE_METRICS_LISTEN`'s, when set), with the
//!    scheduler running unless `SOCIALGATE_JOBS=false`;
//! 2. when `shutdown` resolves: `/readyz` answers 503, sockets close with 1001 (clients
//!    resume with `after`), feeds and the event listener end;
//! 3. stop accepting, and let the requests under way finish;
//! 4. let a job in the middle of a batch finish it;
//! 5. close the database pool.

use std::future::Future;

use tokio::net::TcpListener;

use crate::{AppError, AppResult, Socialgate, http};

impl Socialgate {
    /// Serves socialgate's own router on `listener` until `shutdown` resolves, then
    /// shuts down in order (see the module doc).
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> AppResult<()> {
        let router = self.router();
        self.serve_router(listener, router, shutdown).await
    }

    /// [`Socialgate::serve`] for a host's `router` that nests socialgate's.
    pub async fn serve_router(
        self,
        listener: TcpListener,
        router: axum::Router,
        shutdown: impl Future<Output = ()> + Send,
    ) -> AppResult<()> {
        let app = self.app().clone();
        let limits = app.config.serve_limits();
        let metrics = match app.config.metrics_listen {
            Some(addr) => {
                let listener = TcpListener::bind(addr)
                    .await
                    .map_err(|e| AppError::internal(format!("cannot listen on {addr}: {e}")))?;
                let mut down = app.shutdown.subscribe();
                Some(tokio::spawn(http::serve(
                    listener,
                    http::metrics::router(app.clone()),
                    limits.clone(),
                    async move {
                        let _ = down.wait_for(|down| *down).await;
                    },
                )))
            }
            None => None,
        };
        let jobs = app
            .config
            .jobs
            .unwrap_or(true)
            .then(|| tokio::spawn(self.jobs().run(app.shutdown.subscribe())));
        let draining = app.clone();
        let served = http::serve(listener, router, limits, async move {
            shutdown.await;
            tracing::info!("shutting down");
            // Readiness says no, and sockets close first (1001), or the graceful
            // shutdown of their connections would wait on them. Stored even when
            // nobody listens yet, so `/readyz` reads it.
            draining.shutdown.send_replace(true);
        })
        .await;
        // Whatever ended serving, the rest stops too before the pool closes: a job in
        // the middle of a batch finishes it.
        app.shutdown.send_replace(true);
        if let Some(jobs) = jobs {
            let _ = jobs.await;
        }
        if let Some(metrics) = metrics {
            let _ = metrics.await;
        }
        drop(app);
        served.map_err(|e| AppError::internal(format!("server error: {e}")))?;
        self.shutdown().await
    }
}
