//! Confirming an address a person chose for their digest: the mail with its link, and
//! following the link. A link is signed under a key derived for the address it was
//! mailed to, so it confirms that address and no other, whatever waits when it is
//! followed.

use chrono::{DateTime, Utc};
use entity::user;

use crate::{
    error::{AppError, AppResult},
    mail::{
        Outgoing, confirm,
        unsubscribe::{Link, Refused, Signer},
    },
    service::App,
    store::Scope,
};

/// The signer of confirmation links for `address`: its key is derived for that address
/// (ignoring case), so a link confirms only the address it was mailed to, whatever
/// waits when it is followed.
fn confirming(app: &App, address: &str) -> Signer {
    app.mailer
        .confirmations()
        .for_purpose(&address.to_ascii_lowercase(), confirm::VALID_FOR)
}

/// Mails `address` the link that makes it `person`'s digest address. The link names
/// the person and is signed for that address: a newer address chosen meanwhile voids
/// it, other settings changes do not.
pub(super) async fn send_confirmation(
    app: &App,
    person: &user::Model,
    address: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let link = Link {
        tenant: person.tenant_id,
        user: person.id,
        version: None,
    };
    let token = confirming(app, address).sign(link, now);
    let url = format!(
        "{}/digest/confirm-address?token={token}",
        app.config.public_url()
    );
    let rendered = confirm::render(person.name.as_deref(), address, &url);
    let message_id = format!(
        "confirm-{}-{}@{}",
        person.id.uuid().simple(),
        person.digest_version,
        app.mailer.id_domain()
    );
    let stem = format!(
        "confirm-{}-{}",
        person.id.uuid().simple(),
        person.digest_version
    );
    app.mailer
        .send(Outgoing {
            to: address,
            rendered: &rendered,
            message_id: &message_id,
            date: now,
            unsubscribe_url: None,
            file_stem: &stem,
        })
        .await
        .map_err(|why| {
            tracing::warn!(user = %person.id, %why, "digest address confirmation not sent");
            AppError::Provider(
                "the confirmation mail could not be sent; the address waits, so try again \
                 in a minute"
                    .to_owned(),
            )
        })
}

/// Makes the address a confirmation link was mailed to the digest's address; no
/// sign-in needed, the signed link (bound to the settings it was sent under) is the
/// credential.
pub async fn confirm_address(app: &App, token: &str, now: DateTime<Utc>) -> AppResult<String> {
    let refused = |why: Refused| {
        AppError::BadUserInput(match why {
            Refused::Forged => "this confirmation link is not valid: it was changed, or another \
                                address was chosen after it was sent"
                .to_owned(),
            Refused::Expired => "this confirmation link has expired; choose the address \
                                 again in your settings to get a new one"
                .to_owned(),
        })
    };
    // Who the link names is read before its signature can be checked: the key is the
    // waiting address's. Nothing is changed unless the signature then holds.
    let named = app
        .mailer
        .confirmations()
        .unverified_names(token)
        .ok_or_else(|| refused(Refused::Forged))?;
    let data = app.store.tenant(Scope::tenant(named.tenant));
    let person = data
        .user(named.user)
        .await?
        .ok_or(AppError::NotFound("person"))?;
    let stale = || {
        AppError::BadUserInput(
            "this confirmation link was already used, or another address was chosen after \
             it was sent; choose the address again in your settings to get a new one"
                .to_owned(),
        )
    };
    let Some(address) = person.digest_email_pending else {
        return Err(stale());
    };
    let link = confirming(app, &address)
        .verify(token, now)
        .map_err(|why| match why {
            Refused::Forged => stale(),
            Refused::Expired => refused(why),
        })?;
    if link.user != person.id || !data.confirm_digest_email(person.id, &address).await? {
        return Err(stale());
    }
    tracing::info!(tenant = %link.tenant, user = %link.user, "digest address confirmed");
    Ok(address)
}
