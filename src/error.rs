//! The one error type of socialgate and its policy.
//!
//! Every variant maps to a stable `extensions.code` that clients switch on.
//! Messages of client errors are written for the person reading them in GraphiQL or in
//! a frontend toast. Database and internal errors are logged with their detail and shown
//! only as `INTERNAL`, so that no SQL, token or stack trace ever reaches a client.

use async_graphql::ErrorExtensions;
use entity::enums::ConnectFailure;

/// Result of every service and store function.
pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No token, or a token that failed verification. `UNAUTHENTICATED`.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller is known but their role or the tenant's rules forbid this. `FORBIDDEN`.
    #[error("{0}")]
    Forbidden(String),
    /// The object does not exist or belongs to another tenant or owner; the two are
    /// never told apart. `NOT_FOUND`.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Malformed or out-of-range input. `BAD_USER_INPUT`.
    #[error("{0}")]
    BadUserInput(String),
    /// The status machine does not allow this change from the current status.
    /// `INVALID_TRANSITION`.
    #[error("{0}")]
    InvalidTransition(String),
    /// The per-user limit of a network is used up. `LIMIT_REACHED`.
    #[error("{0}")]
    LimitReached(String),
    /// The network is not supported (X/Twitter). `UNSUPPORTED_NETWORK`.
    #[error("{0}")]
    UnsupportedNetwork(String),
    /// A reconnect returned another external account than the integration's.
    /// `ACCOUNT_MISMATCH`.
    #[error("{0}")]
    AccountMismatch(String),
    /// Someone else changed the object first; read it again and retry. `CONFLICT`.
    #[error("{0}")]
    Conflict(String),
    /// The network said no for a reason the person can act on (a personal profile, a
    /// personal Instagram account, no posting role, a cancelled consent). The code is
    /// the refusal's own (`PERSONAL_PROFILE`, …), never `PROVIDER_ERROR`.
    #[error("{1}")]
    Refused(ConnectFailure, String),
    /// The network answered with an error we could not map. `PROVIDER_ERROR`.
    #[error("{0}")]
    Provider(String),
    /// Too many requests, here or at the network. `RATE_LIMITED`.
    #[error("{0}")]
    RateLimited(String),
    /// A database failure: logged, shown as `INTERNAL`.
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// Anything else that is our fault: logged, shown as `INTERNAL`.
    #[error("{0}")]
    Internal(String),
}

/// The `extensions.code` values that are not a sign-in's refusal: every place that
/// writes a code, an [`AppError`] or an error raised outside the services (parsing,
/// the query budget, the HTTP layer), writes one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadUserInput,
    InvalidTransition,
    LimitReached,
    UnsupportedNetwork,
    AccountMismatch,
    Conflict,
    ProviderError,
    RateLimited,
    Internal,
}

impl Code {
    /// The code as clients see it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::NotFound => "NOT_FOUND",
            Code::BadUserInput => "BAD_USER_INPUT",
            Code::InvalidTransition => "INVALID_TRANSITION",
            Code::LimitReached => "LIMIT_REACHED",
            Code::UnsupportedNetwork => "UNSUPPORTED_NETWORK",
            Code::AccountMismatch => "ACCOUNT_MISMATCH",
            Code::Conflict => "CONFLICT",
            Code::ProviderError => "PROVIDER_ERROR",
            Code::RateLimited => "RATE_LIMITED",
            Code::Internal => "INTERNAL",
        }
    }
}

impl AppError {
    /// The stable `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        let code = match self {
            AppError::Refused(failure, _) => return failure.code(),
            AppError::Unauthenticated(_) => Code::Unauthenticated,
            AppError::Forbidden(_) => Code::Forbidden,
            AppError::NotFound(_) => Code::NotFound,
            AppError::BadUserInput(_) => Code::BadUserInput,
            AppError::InvalidTransition(_) => Code::InvalidTransition,
            AppError::LimitReached(_) => Code::LimitReached,
            AppError::UnsupportedNetwork(_) => Code::UnsupportedNetwork,
            AppError::AccountMismatch(_) => Code::AccountMismatch,
            AppError::Conflict(_) => Code::Conflict,
            AppError::Provider(_) => Code::ProviderError,
            AppError::RateLimited(_) => Code::RateLimited,
            AppError::Database(_) | AppError::Internal(_) => Code::Internal,
        };
        code.as_str()
    }

    /// Why a sign-in failed, as its attempt records it.
    pub fn connect_failure(&self) -> ConnectFailure {
        match self {
            AppError::Refused(failure, _) => *failure,
            AppError::LimitReached(_) => ConnectFailure::LimitReached,
            AppError::AccountMismatch(_) => ConnectFailure::AccountMismatch,
            AppError::RateLimited(_) => ConnectFailure::RateLimited,
            AppError::Provider(_) => ConnectFailure::ProviderError,
            AppError::Database(_) | AppError::Internal(_) => ConnectFailure::Internal,
            AppError::Unauthenticated(_)
            | AppError::Forbidden(_)
            | AppError::NotFound(_)
            | AppError::BadUserInput(_)
            | AppError::InvalidTransition(_)
            | AppError::UnsupportedNetwork(_)
            | AppError::Conflict(_) => ConnectFailure::NotAllowed,
        }
    }

    pub fn internal(context: impl std::fmt::Display) -> Self {
        AppError::Internal(context.to_string())
    }

    /// The message a client may see.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Database(_) | AppError::Internal(_) => {
                "internal error; it has been logged".to_owned()
            }
            other => other.to_string(),
        }
    }
}

impl From<crate::domain::policy::Denied> for AppError {
    fn from(denied: crate::domain::policy::Denied) -> Self {
        AppError::Forbidden(denied.0)
    }
}

impl From<crate::domain::status::Refused> for AppError {
    fn from(refused: crate::domain::status::Refused) -> Self {
        AppError::InvalidTransition(refused.to_string())
    }
}

impl From<crate::domain::limits::LimitReached> for AppError {
    fn from(reached: crate::domain::limits::LimitReached) -> Self {
        AppError::LimitReached(reached.to_string())
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        if matches!(self, AppError::Database(_) | AppError::Internal(_)) {
            tracing::error!(error = %self, "internal error");
        }
        async_graphql::Error::new(self.public_message()).extend_with(|_, ext| {
            ext.set("code", self.code());
        })
    }
}
