//! Typed storage keys. Every table's key and every reference to another row has its own
//! type, so a tenant id passed where an integration id belongs, or two ids swapped in a
//! call, fails to compile instead of reading the wrong rows. They are stored as plain
//! UUIDs; new keys are UUIDv7, whose order is creation order.

use std::fmt;

use sea_orm::{DbErr, DeriveValueType, TryFromU64};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident;)+) => {$(
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, DeriveValueType,
            Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh key; its order among keys of its type is creation order.
            pub fn generate() -> Self {
                $name(Uuid::now_v7())
            }

            /// The UUID as stored.
            pub fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl TryFromU64 for $name {
            fn try_from_u64(_: u64) -> Result<Self, DbErr> {
                Err(DbErr::ConvertFromU64(stringify!($name)))
            }
        }
    )+};
}

id_type! {
    /// A tenant: one customer of the embedding product.
    TenantId;
    /// A person of a tenant, provisioned from a token's subject.
    UserId;
    /// One connected account of one user.
    IntegrationId;
    /// A compliance note.
    NoteId;
    /// One OAuth sign-in, from `connectIntegration` to its completion.
    AttemptId;
    /// One digest email delivery.
    DeliveryId;
    /// A post: content by one person, reviewed as a whole.
    PostId;
    /// One post aimed at one integration.
    PostDeliveryId;
}
