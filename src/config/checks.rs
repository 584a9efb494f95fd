//! What `Config::load` refuses: values that parse but cannot work, each with a sentence
//! naming the key. Refusing at start beats a server that silently runs without what the
//! operator meant to give it.

use super::{Config, parse_duration, serve};
use crate::error::{AppError, AppResult};

impl Config {
    /// Every check below.
    pub(super) fn check(&self) -> AppResult<()> {
        self.networks_whole()?;
        if let Err(entry) = serve::trusted_proxies(self.trusted_proxies.as_deref()) {
            return Err(AppError::BadUserInput(format!(
                "configuration: trusted_proxies entry {entry:?} is not an address or a CIDR range"
            )));
        }
        if parse_duration(&self.probe_interval).is_none() {
            return Err(AppError::BadUserInput(format!(
                "configuration: probe_interval {:?} is not a duration such as 6h, 30m or 5s",
                self.probe_interval
            )));
        }
        if self
            .unsubscribe_key
            .as_ref()
            .is_some_and(|k| k.expose().len() < 32)
        {
            return Err(AppError::BadUserInput(
                "configuration: unsubscribe_key must have at least 32 characters".into(),
            ));
        }
        Ok(())
    }
    /// Refuses a network given only half of its app (an id without a secret, or the
    /// reverse): it would silently stay a sandbox or unsupported.
    fn networks_whole(&self) -> AppResult<()> {
        let apps = [
            (
                "LINKEDIN_CLIENT_ID",
                self.linkedin_client_id.is_some(),
                "LINKEDIN_CLIENT_SECRET",
                self.linkedin_client_secret.is_some(),
            ),
            (
                "FACEBOOK_APP_ID",
                self.facebook_app_id.is_some(),
                "FACEBOOK_APP_SECRET",
                self.facebook_app_secret.is_some(),
            ),
            (
                "INSTAGRAM_APP_ID",
                self.instagram_app_id.is_some(),
                "INSTAGRAM_APP_SECRET",
                self.instagram_app_secret.is_some(),
            ),
        ];
        for (id, has_id, secret, has_secret) in apps {
            if has_id != has_secret {
                let (given, missing) = if has_id { (id, secret) } else { (secret, id) };
                return Err(AppError::BadUserInput(format!(
                    "configuration: SOCIALGATE_{given} is set but SOCIALGATE_{missing} is not; \
                     a network needs both (or neither, for its sandbox)"
                )));
            }
        }
        Ok(())
    }
}
