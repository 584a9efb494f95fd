//! Opaque identifiers and cursors.
//!
//! Clients get `ID`s that name their type (`Integration:…` in URL-safe base64), so an
//! id of one type passed where another is expected fails clearly, and the storage key
//! can change without breaking clients. Cursors are opaque the same way.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// The kinds of object that have a global id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Integration,
    User,
    ComplianceNote,
    Tenant,
    ConnectionAttempt,
}

impl IdKind {
    fn prefix(self) -> &'static str {
        match self {
            IdKind::Integration => "Integration",
            IdKind::User => "User",
            IdKind::ComplianceNote => "ComplianceNote",
            IdKind::Tenant => "Tenant",
            IdKind::ConnectionAttempt => "ConnectionAttempt",
        }
    }
}

/// Encodes a storage key as a client-facing id.
pub fn encode(kind: IdKind, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{}", kind.prefix(), id))
}

/// Decodes a client id of the expected kind; anything else is `BAD_USER_INPUT`.
pub fn decode(kind: IdKind, id: &str) -> AppResult<Uuid> {
    let bad = || AppError::BadUserInput(format!("{id:?} is not a valid {} id", kind.prefix()));
    let bytes = URL_SAFE_NO_PAD.decode(id.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (prefix, raw) = text.split_once(':').ok_or_else(bad)?;
    if prefix != kind.prefix() {
        return Err(bad());
    }
    Uuid::parse_str(raw).map_err(|_| bad())
}

const CURSOR_PREFIX: &str = "c1:";

/// Encodes a pagination position (the id of the last row seen).
pub fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{id}"))
}

/// Decodes a cursor produced by [`encode_cursor`]; anything else is `BAD_USER_INPUT`.
pub fn decode_cursor(cursor: &str) -> AppResult<Uuid> {
    let bad = || AppError::BadUserInput(format!("{cursor:?} is not a valid cursor"));
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let raw = text.strip_prefix(CURSOR_PREFIX).ok_or_else(bad)?;
    Uuid::parse_str(raw).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_refuse_other_kinds() {
        let id = Uuid::now_v7();
        let encoded = encode(IdKind::Integration, id);
        assert_eq!(decode(IdKind::Integration, &encoded).unwrap(), id);
        assert!(decode(IdKind::User, &encoded).is_err());
        assert!(decode(IdKind::Integration, "not-an-id").is_err());
        assert!(decode_cursor(&encoded).is_err());
        assert_eq!(decode_cursor(&encode_cursor(id)).unwrap(), id);
    }
}
