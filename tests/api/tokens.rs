//! Sealed tokens in the database: they open only for their row, survive a reseal with
//! a new key, keep a refresh token a new grant lacks, and never appear in plaintext in
//! a dump of the database.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement, sea_query::Expr};
use socialgate::{
    auth::Role::Advisor,
    config::Secret,
    crypto::Keyring,
    domain::{Network, StatusReason},
    service::{lifecycle, tokens},
};

use crate::{
    common::{Backend, TestApp},
    db_test,
};

const ACCESS: &str = "EAAG-plaintext-access-7f3a9c";
const REFRESH: &str = "AQR-plaintext-refresh-51be02";

fn with(access: &str, refresh: Option<&str>) -> lifecycle::Tokens {
    lifecycle::Tokens {
        access: Secret::new(access),
        refresh: refresh.map(Secret::new),
        refresh_expires_at: None,
    }
}

async fn connect(
    app: &TestApp,
    owner: &socialgate::auth::Actor,
    account: &str,
    t: lifecycle::Tokens,
) -> socialgate::domain::IntegrationId {
    let applied = lifecycle::connected(
        &app.app,
        owner,
        lifecycle::NewAccount {
            network: Network::Linkedin,
            external_account_id: account.into(),
            network_user_id: None,
            display_name: account.into(),
            profile_url: None,
            scopes: vec!["openid".into()],
            token_expires_at: None,
            tokens: Some(t),
        },
    )
    .await
    .expect("connect");
    applied.integration.id
}

/// Every byte the database holds for its tables, as text.
async fn dump(app: &TestApp) -> Vec<u8> {
    match app.backend {
        Backend::Sqlite => {
            let path = app
                .url
                .trim_start_matches("sqlite://")
                .split('?')
                .next()
                .expect("path")
                .to_owned();
            let mut bytes = std::fs::read(&path).expect("db file");
            bytes.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
            bytes
        }
        Backend::Postgres => {
            let db = app.store.db();
            let mut out = Vec::new();
            for table in [
                "credentials",
                "connection_attempts",
                "integrations",
                "integration_events",
                "compliance_notes",
            ] {
                let rows = db
                    .query_all_raw(Statement::from_string(
                        db.get_database_backend(),
                        format!("SELECT t::text AS row FROM {table} t"),
                    ))
                    .await
                    .expect("dump");
                for row in rows {
                    out.extend(row.try_get::<String>("", "row").expect("row").into_bytes());
                }
            }
            out
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

db_test!(
    sealed_tokens_round_trip_bind_rotate_and_never_leak,
    async |app: TestApp| {
        let owner = app.actor("vault", "avery", &[Advisor]).await;
        let first = connect(&app, &owner, "member-1", with(ACCESS, Some(REFRESH))).await;
        let second = connect(&app, &owner, "member-2", with("AQV-second-token", None)).await;

        let opened = tokens::open(&app.app, owner.tenant_id, first)
            .await
            .expect("open")
            .expect("stored");
        assert_eq!(opened.access.expose(), ACCESS);
        assert_eq!(opened.refresh.as_ref().map(Secret::expose), Some(REFRESH));

        let bytes = dump(&app).await;
        assert!(!bytes.is_empty());
        assert!(
            !contains(&bytes, ACCESS) && !contains(&bytes, REFRESH),
            "no plaintext token in the database"
        );

        // A reconnect whose grant has no refresh token keeps the stored one.
        lifecycle::expire(&app.app, owner.tenant_id, first, StatusReason::TokenExpired)
            .await
            .expect("expire");
        let reconnection = lifecycle::NewAccount {
            network: Network::Linkedin,
            display_name: "Account".into(),
            profile_url: None,
            external_account_id: "member-1".into(),
            network_user_id: None,
            scopes: vec!["openid".into()],
            token_expires_at: None,
            tokens: Some(with("AQV-renewed-access", None)),
        };
        lifecycle::reconnected(&app.app, &owner, first, reconnection)
            .await
            .expect("reconnect");
        let opened = tokens::open(&app.app, owner.tenant_id, first)
            .await
            .expect("open")
            .expect("stored");
        assert_eq!(opened.access.expose(), "AQV-renewed-access");
        assert_eq!(
            opened.refresh.as_ref().map(Secret::expose),
            Some(REFRESH),
            "the refresh token survived"
        );

        // A ciphertext copied to another row does not open there.
        let row = entity::credential::Entity::find_by_id(first)
            .one(app.store.db())
            .await
            .expect("read")
            .expect("row");
        entity::credential::Entity::update_many()
            .col_expr(
                entity::credential::Column::AccessToken,
                Expr::value(row.access_token.clone()),
            )
            .col_expr(
                entity::credential::Column::KeyId,
                Expr::value(row.key_id.clone()),
            )
            .filter(entity::credential::Column::IntegrationId.eq(second))
            .exec(app.store.db())
            .await
            .expect("copy ciphertext");
        assert!(
            tokens::open(&app.app, owner.tenant_id, second)
                .await
                .is_err()
        );

        // Rotation: with a new key in front, a reseal moves every readable row to it and
        // the rows stay readable.
        entity::credential::Entity::delete_many()
            .filter(entity::credential::Column::IntegrationId.eq(second))
            .exec(app.store.db())
            .await
            .expect("drop the forged row");
        let rotated = Keyring::parse(&Secret::new(format!(
            "{},{}",
            Keyring::generate("test-2").expose(),
            app.token_keys.expose()
        )))
        .expect("keyring");
        assert_eq!(
            tokens::reseal(&app.store, &rotated).await.expect("reseal"),
            1
        );
        let row = entity::credential::Entity::find_by_id(first)
            .one(app.store.db())
            .await
            .expect("read")
            .expect("row");
        assert_eq!(
            (row.key_id.as_str(), row.refresh_key_id.as_deref()),
            ("test-2", Some("test-2"))
        );
        let opened = tokens::open_with(&app.store, &rotated, owner.tenant_id, first)
            .await
            .expect("open")
            .expect("stored");
        assert_eq!(
            (
                opened.access.expose(),
                opened.refresh.as_ref().map(Secret::expose)
            ),
            ("AQV-renewed-access", Some(REFRESH))
        );
        assert!(
            tokens::open(&app.app, owner.tenant_id, first)
                .await
                .is_err(),
            "the old ring lacks the new key"
        );
        assert_eq!(
            tokens::reseal(&app.store, &rotated).await.expect("reseal"),
            0,
            "nothing left to move"
        );

        // Disconnect destroys the credentials.
        lifecycle::disconnect(&app.app, &owner, first, None)
            .await
            .expect("disconnect");
        assert!(
            tokens::open_with(&app.store, &rotated, owner.tenant_id, first)
                .await
                .expect("open")
                .is_none()
        );
    }
);
