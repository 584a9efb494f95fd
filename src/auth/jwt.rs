//! JWT verification with the algorithm pinned to the configured key.
//!
//! The header's `alg` is never trusted: an HS256 secret accepts only HS256, a PEM key
//! only its own algorithm, so `alg: none` and key-confusion tokens fail. `exp` is
//! required, `nbf` is checked, and `iss`/`aud` when configured. Every failure is one
//! `UNAUTHENTICATED` with a short reason; the token itself is never logged.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};

use super::Role;
use crate::{
    config::{Config, Secret},
    error::{AppError, AppResult},
};

/// The claims socialgate reads from a token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    pub sub: String,
    pub tenant_id: String,
    #[serde(default)]
    pub roles: Vec<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// One audience or several (RFC 7519 allows both); checked by the verifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
}

/// The `aud` claim: a string or an array of strings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

/// Verifies bearer tokens against the one configured key.
#[derive(Clone)]
pub struct Verifier {
    key: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("algorithms", &self.validation.algorithms)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier no token passes (a random secret nobody holds), for a server whose
    /// host authenticates its own way and never hands socialgate a bearer token.
    pub fn unusable() -> Self {
        let mut secret = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut secret);
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        Verifier {
            key: DecodingKey::from_secret(&secret),
            validation,
        }
    }

    /// Builds the verifier from the configured key: the PEM public key when set,
    /// otherwise the HS256 secret (dev mode puts its generated secret there).
    pub fn from_config(config: &Config) -> AppResult<Self> {
        let (key, algorithm) = match (&config.jwt_public_key, &config.jwt_secret) {
            (Some(pem), _) => public_key(pem)?,
            (None, Some(secret)) => (
                DecodingKey::from_secret(secret.expose().as_bytes()),
                Algorithm::HS256,
            ),
            (None, None) => {
                return Err(AppError::internal(
                    "no JWT key: set SOCIALGATE_JWT_SECRET or SOCIALGATE_JWT_PUBLIC_KEY",
                ));
            }
        };
        let mut validation = Validation::new(algorithm);
        let mut required = vec!["exp", "sub"];
        if config.jwt_issuer.is_some() {
            required.push("iss");
        }
        if config.jwt_audience.is_some() {
            required.push("aud");
        }
        validation.set_required_spec_claims(&required);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = 30;
        match &config.jwt_issuer {
            Some(iss) => validation.set_issuer(&[iss]),
            None => validation.iss = None,
        }
        match &config.jwt_audience {
            Some(aud) => validation.set_audience(&[aud]),
            None => validation.validate_aud = false,
        }
        Ok(Verifier { key, validation })
    }

    /// Verifies a compact JWT and returns its claims.
    pub fn verify(&self, token: &str) -> AppResult<Claims> {
        let data =
            jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation).map_err(|e| {
                let why = match e.kind() {
                    ErrorKind::ExpiredSignature => "token expired",
                    ErrorKind::ImmatureSignature => "token not valid yet (nbf)",
                    ErrorKind::InvalidIssuer => "wrong token issuer",
                    ErrorKind::InvalidAudience => "wrong token audience",
                    ErrorKind::InvalidAlgorithm => "token algorithm not accepted",
                    ErrorKind::InvalidSignature => "bad token signature",
                    ErrorKind::MissingRequiredClaim(_) => "token lacks a required claim",
                    _ => "malformed token",
                };
                AppError::Unauthenticated(why.to_owned())
            })?;
        let claims = data.claims;
        if claims.sub.trim().is_empty() || claims.tenant_id.trim().is_empty() {
            return Err(AppError::Unauthenticated(
                "token needs non-empty sub and tenant_id".to_owned(),
            ));
        }
        if claims.roles.is_empty() {
            return Err(AppError::Unauthenticated(
                "token has no roles (advisor, compliance or admin)".to_owned(),
            ));
        }
        Ok(claims)
    }
}

fn public_key(pem: &Secret) -> AppResult<(DecodingKey, Algorithm)> {
    let bytes = pem.expose().as_bytes();
    if let Ok(key) = DecodingKey::from_rsa_pem(bytes) {
        return Ok((key, Algorithm::RS256));
    }
    if let Ok(key) = DecodingKey::from_ec_pem(bytes) {
        return Ok((key, Algorithm::ES256));
    }
    Err(AppError::BadUserInput(
        "SOCIALGATE_JWT_PUBLIC_KEY is neither an RSA nor an EC (P-256) PEM public key".to_owned(),
    ))
}

/// Mints HS256 tokens: for `socialgate token`, the dev token, and tests.
#[derive(Clone)]
pub struct TokenMinter {
    key: EncodingKey,
    issuer: Option<String>,
    audience: Option<String>,
}

impl TokenMinter {
    pub fn new(secret: &Secret, issuer: Option<String>, audience: Option<String>) -> Self {
        TokenMinter {
            key: EncodingKey::from_secret(secret.expose().as_bytes()),
            issuer,
            audience,
        }
    }

    /// Mints a token for `sub` in `tenant_id` with `roles`, valid for `ttl`.
    pub fn mint(
        &self,
        tenant_id: &str,
        sub: &str,
        roles: &[Role],
        ttl: std::time::Duration,
    ) -> AppResult<String> {
        self.mint_named(tenant_id, sub, None, roles, ttl)
    }

    /// [`mint`](Self::mint) with the person's display name (the `name` claim).
    pub fn mint_named(
        &self,
        tenant_id: &str,
        sub: &str,
        name: Option<&str>,
        roles: &[Role],
        ttl: std::time::Duration,
    ) -> AppResult<String> {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: sub.to_owned(),
            tenant_id: tenant_id.to_owned(),
            roles: roles.to_vec(),
            email: None,
            name: name.map(str::to_owned),
            exp: now + ttl.as_secs(),
            nbf: None,
            iss: self.issuer.clone(),
            aud: self.audience.clone().map(Audience::One),
        };
        self.encode(&claims)
    }

    /// Signs arbitrary claims (tests use it for tokens that must fail).
    pub fn encode<T: Serialize>(&self, claims: &T) -> AppResult<String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.key)
            .map_err(|e| AppError::internal(format!("cannot sign token: {e}")))
    }
}
