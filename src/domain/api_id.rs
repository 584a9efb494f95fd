//! The ids clients see: a storage key with the name of its type (`Integration:…`),
//! in URL-safe base64. An id of one type passed where another is expected fails
//! clearly, and the storage key can change without breaking clients. The GraphQL
//! layer reads and writes them; mail links carry them too, so the rule lives here.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use uuid::Uuid;

use super::IntegrationId;

/// Encodes a storage key as a client-facing id of type `prefix`.
pub fn encode(prefix: &str, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{prefix}:{id}"))
}

/// Decodes a client id that must carry `prefix`.
pub fn decode(prefix: &str, id: &str) -> Result<Uuid, String> {
    let bad = || format!("{id:?} is not a valid {prefix} id");
    let bytes = URL_SAFE_NO_PAD.decode(id.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    match text.split_once(':') {
        Some((p, raw)) if p == prefix => Uuid::parse_str(raw).map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// The id clients know an integration by.
pub fn integration(id: IntegrationId) -> String {
    encode(INTEGRATION, id.uuid())
}

/// The type name an integration's id carries.
pub const INTEGRATION: &str = "Integration";
