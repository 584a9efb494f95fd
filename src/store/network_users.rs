//! Integrations found by the network's id of the person who signed in. Meta's
//! deauthorize and data-deletion callbacks carry no tenant, only that id, and one
//! person may have connected Pages or accounts in several tenants: so these lookups
//! cross tenants on purpose. They return only what the callers need to act on each
//! integration in its own tenant's scope.

use entity::{enums::Network, ids::IntegrationId, integration};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};

use super::Store;
use crate::error::AppResult;

impl Store {
    /// Across tenants on purpose: the integrations of `network` that the person
    /// `network_user_id` signed in for and that are not disconnected, oldest first.
    pub async fn integrations_of_network_user(
        &self,
        network: Network,
        network_user_id: &str,
    ) -> AppResult<Vec<integration::Model>> {
        let mut person =
            Condition::any().add(integration::Column::NetworkUserId.eq(network_user_id));
        if network == Network::Instagram {
            // With Instagram Login the connected account is the person who signed in:
            // rows connected before the id was recorded are found by their account id.
            person = person.add(integration::Column::ExternalAccountId.eq(network_user_id));
        }
        Ok(integration::Entity::find()
            .filter(integration::Column::Network.eq(network))
            .filter(person)
            .filter(integration::Column::DisconnectedAt.is_null())
            .order_by_asc(integration::Column::Id)
            .all(self.db())
            .await?)
    }

    /// Across tenants on purpose: the live integrations of `network` connecting the
    /// account `external_account_id` (a Page that removed the app names itself, not a
    /// person), oldest first.
    pub async fn integrations_of_account(
        &self,
        network: Network,
        external_account_id: &str,
    ) -> AppResult<Vec<integration::Model>> {
        Ok(integration::Entity::find()
            .filter(integration::Column::Network.eq(network))
            .filter(integration::Column::ExternalAccountId.eq(external_account_id))
            .filter(integration::Column::DisconnectedAt.is_null())
            .order_by_asc(integration::Column::Id)
            .all(self.db())
            .await?)
    }

    /// Across tenants on purpose: whether an integration other than `except` still
    /// uses the same login (revoking the app for that person would cut it off too).
    pub async fn login_shared(
        &self,
        network: Network,
        network_user_id: &str,
        except: IntegrationId,
    ) -> AppResult<bool> {
        Ok(self
            .integrations_of_network_user(network, network_user_id)
            .await?
            .iter()
            .any(|other| other.id != except))
    }
}
