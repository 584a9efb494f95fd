//! Opaque identifiers and cursors, decoded once at the edge.
//!
//! Clients get `ID`s that name their type (`Integration:…` in URL-safe base64), so an
//! id of one type passed where another is expected fails clearly, and the storage key
//! can change without breaking clients. Arguments are typed ([`IntegrationGid`] and
//! its siblings): the schema still says `ID` (or `String` for cursors), but a resolver
//! receives a storage key of the right type, and a malformed value is refused with
//! `BAD_USER_INPUT` before the resolver runs.

use std::borrow::Cow;

use async_graphql::{
    ContextSelectionSet, ID, InputType, InputValueError, InputValueResult, OutputType, Positioned,
    ServerResult, Value, parser::types::Field, registry::Registry,
};
use uuid::Uuid;

use crate::{
    domain::{
        AttemptId, IntegrationId, NoteId, PostDeliveryId, PostId, TenantId, UserId,
        api_id::{decode, encode},
    },
    error::Code,
};

fn refused<T: InputType>(message: String) -> InputValueError<T> {
    InputValueError::custom(message).with_extension("code", Code::BadUserInput.as_str())
}

/// Declares a typed global id: `$name` wraps the storage key `$key`, reads and writes
/// the GraphQL type `$scalar`, and carries `$prefix` in its encoded form.
macro_rules! global_id {
    ($(#[$doc:meta])* $name:ident($key:ty), $scalar:ty, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(pub $key);

        impl $name {
            /// The encoded form clients see.
            pub fn encoded(&self) -> String {
                encode($prefix, self.0.uuid())
            }

            /// Decodes an encoded id of this type.
            pub fn decode(raw: &str) -> Result<Self, String> {
                decode($prefix, raw).map(|uuid| $name(<$key>::from_uuid(uuid)))
            }
        }

        impl From<$key> for $name {
            fn from(key: $key) -> Self {
                $name(key)
            }
        }

        impl InputType for $name {
            type RawValueType = Self;

            fn type_name() -> Cow<'static, str> {
                <$scalar as InputType>::type_name()
            }

            fn create_type_info(registry: &mut Registry) -> String {
                <$scalar as InputType>::create_type_info(registry)
            }

            fn parse(value: Option<Value>) -> InputValueResult<Self> {
                let raw = <$scalar as InputType>::parse(value).map_err(InputValueError::propagate)?;
                Self::decode(&raw).map_err(refused)
            }

            fn to_value(&self) -> Value {
                Value::String(self.encoded())
            }

            fn as_raw_value(&self) -> Option<&Self::RawValueType> {
                Some(self)
            }
        }

        impl OutputType for $name {
            fn type_name() -> Cow<'static, str> {
                <$scalar as OutputType>::type_name()
            }

            fn create_type_info(registry: &mut Registry) -> String {
                <$scalar as OutputType>::create_type_info(registry)
            }

            async fn resolve(
                &self,
                _: &ContextSelectionSet<'_>,
                _: &Positioned<Field>,
            ) -> ServerResult<Value> {
                Ok(Value::String(self.encoded()))
            }
        }
    };
}

/// Storage keys made from the UUID a client id carries.
trait FromUuid {
    fn from_uuid(uuid: Uuid) -> Self;
}

macro_rules! from_uuid {
    ($($key:ty),+) => {$(
        impl FromUuid for $key {
            fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }
    )+};
}
from_uuid!(
    IntegrationId,
    UserId,
    NoteId,
    TenantId,
    AttemptId,
    PostId,
    PostDeliveryId
);

global_id!(
    /// An `Integration` id.
    IntegrationGid(IntegrationId), ID, "Integration"
);
global_id!(
    /// A `User` id.
    UserGid(UserId), ID, "User"
);
global_id!(
    /// A `ComplianceNote` id.
    NoteGid(NoteId), ID, "ComplianceNote"
);
global_id!(
    /// A `Tenant` id.
    TenantGid(TenantId), ID, "Tenant"
);
global_id!(
    /// A `ConnectionAttempt` id.
    AttemptGid(AttemptId), ID, "ConnectionAttempt"
);
global_id!(
    /// A `Post` id.
    PostGid(PostId), ID, "Post"
);
global_id!(
    /// A `PostDelivery` id.
    PostDeliveryGid(PostDeliveryId), ID, "PostDelivery"
);
global_id!(
    /// A position in the posts list (after the post it names).
    PostCursor(PostId), String, "p1"
);
global_id!(
    /// A position in the integrations list (after the integration it names). Cursors
    /// are `String`s in the schema, opaque like ids.
    IntegrationCursor(IntegrationId), String, "c1"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_refuse_other_kinds() {
        let id = IntegrationGid(IntegrationId::generate());
        assert_eq!(IntegrationGid::decode(&id.encoded()), Ok(id));
        assert!(UserGid::decode(&id.encoded()).is_err());
        assert!(IntegrationGid::decode("not-an-id").is_err());
        assert!(IntegrationCursor::decode(&id.encoded()).is_err());
        let cursor = IntegrationCursor(id.0);
        assert_eq!(IntegrationCursor::decode(&cursor.encoded()), Ok(cursor));
    }
}
