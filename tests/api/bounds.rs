//! Input bounds identical on both engines: values SQLite would store and PostgreSQL
//! would refuse (too long for their column, or with a NUL) are `BAD_USER_INPUT` on
//! both, before any statement, and never an internal error.

use serde_json::json;
use socialgate::auth::Role::{Advisor, Compliance};

use crate::{
    common::{TestApp, codes},
    db_test,
};

db_test!(
    bad_strings_are_refused_the_same_on_every_engine,
    async |app: TestApp| {
        // Token claims: a tenant id over 255 characters, or with a NUL; a subject with
        // a line break.
        for (tenant, sub) in [
            ("t".repeat(256), "adv".to_owned()),
            ("bad\0tenant".to_owned(), "adv".to_owned()),
            ("fine".to_owned(), "line\nbreak".to_owned()),
        ] {
            let token = app.token(&tenant, &sub, &[Advisor]);
            let body = app.gql(Some(&token), "{ viewer { id } }", json!({})).await;
            assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
        }

        // A note with a NUL, and one too long.
        let owner = app.actor("bounds", "adv", &[Advisor]).await;
        let id = app
            .connect(&owner, socialgate::domain::Network::Linkedin, "m")
            .await;
        let co = app.token("bounds", "co", &[Compliance]);
        let note = "mutation($id: ID!, $body: String!) { addComplianceNote(integrationId: $id, body: $body) { body } }";
        for body_text in ["a\0b".to_owned(), "n".repeat(4001)] {
            let body = app
                .gql(Some(&co), note, json!({ "id": id, "body": body_text }))
                .await;
            assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
        }
        // Line breaks are fine in a note.
        let body = app
            .gql(
                Some(&co),
                note,
                json!({ "id": id, "body": "first\nsecond" }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");

        // A returnTo over 2,048 characters, and one with a line break.
        let adv = app.token("bounds", "adv", &[Advisor]);
        let connect = "mutation($r: String) { connectIntegration(network: FACEBOOK, returnTo: $r) { attemptId } }";
        let long = format!("https://admin.example.com/{}", "p".repeat(2048));
        for return_to in [long, "https://admin.example.com/\r\nx".to_owned()] {
            let body = app
                .gql(Some(&adv), connect, json!({ "r": return_to }))
                .await;
            assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
        }

        // A malformed id is refused before the resolver runs.
        let body = app
            .gql(
                Some(&co),
                "query($id: ID!) { integration(id: $id) { id } }",
                json!({ "id": "not\0an-id" }),
            )
            .await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
    }
);
