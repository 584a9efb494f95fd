//! [`Builder`]: a socialgate assembled from the host's parts.

use std::sync::Arc;

use crate::{
    AppResult, Config, Socialgate,
    auth::{Authenticate, HostAuth},
    store::Store,
};

/// Builds a [`Socialgate`] from a [`Config`] and, optionally, the host's database
/// connection and authentication.
///
/// ```no_run
/// # async fn host() -> socialgate::AppResult<()> {
/// use socialgate::{Config, Socialgate, config::Secret};
///
/// let config = Config {
///     database_url: "sqlite://social.db?mode=rwc".into(),
///     public_url: Some("https://admin.example.com/social".into()),
///     jwt_secret: Some(Secret::new("a long random secret of the host")),
///     token_keys: Some(Secret::new("k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")),
///     ..Config::default()
/// };
/// let social = Socialgate::builder(config).build().await?;
/// let app: axum::Router = axum::Router::new().nest("/social", social.router());
/// # drop(app);
/// # Ok(())
/// # }
/// ```
pub struct Builder {
    pub(crate) config: Config,
    pub(crate) store: Option<Store>,
    pub(crate) authenticate: Option<HostAuth>,
}

impl Builder {
    /// Uses the host's SeaORM connection (and so its pool) instead of opening
    /// `config.database_url`. socialgate's tables are migrated into it at build.
    pub fn database(mut self, db: sea_orm::DatabaseConnection) -> Self {
        self.store = Some(Store::from_connection(db));
        self
    }

    /// Uses an existing [`Store`].
    pub fn store(mut self, store: Store) -> Self {
        self.store = Some(store);
        self
    }

    /// Replaces the bearer-token check with the host's own: every request's caller
    /// (tenant, subject, roles) comes from `authenticate`. No JWT key is needed then.
    pub fn authenticate(mut self, authenticate: impl Authenticate) -> Self {
        self.authenticate = Some(HostAuth(Arc::new(authenticate)));
        self
    }

    /// Connects (unless given a connection), migrates, and builds the schema.
    pub async fn build(self) -> AppResult<Socialgate> {
        let store = match self.store {
            Some(store) => store,
            None => Store::connect(&self.config.database_url).await?,
        };
        Socialgate::assemble(self.config, store, self.authenticate).await
    }
}
