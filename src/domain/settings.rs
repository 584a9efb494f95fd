//! Tenant settings a change may set: compliance mode, re-approval on reconnect, the
//! per-network limits and host token access. One shape from the API input to the stored row.

use super::ComplianceMode;

/// The most integrations of one network a tenant may allow per user.
pub const MAX_LIMIT: i32 = 20;

/// A change of settings; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsChange {
    pub compliance_mode: Option<ComplianceMode>,
    pub reapproval_on_reconnect: Option<bool>,
    pub linkedin_limit: Option<i32>,
    pub facebook_limit: Option<i32>,
    pub instagram_limit: Option<i32>,
    /// Whether the host's server-side code (role `service`) may read the access token of
    /// an ACTIVE integration.
    pub host_token_access: Option<bool>,
}

impl SettingsChange {
    /// Refuses a limit outside `0..=MAX_LIMIT`, naming the field. Lowering a limit
    /// never disconnects anything; it only stops new connections.
    pub fn validate(&self) -> Result<(), String> {
        for (name, value) in [
            ("linkedinLimit", self.linkedin_limit),
            ("facebookLimit", self.facebook_limit),
            ("instagramLimit", self.instagram_limit),
        ] {
            if value.is_some_and(|v| !(0..=MAX_LIMIT).contains(&v)) {
                return Err(format!("{name} must be between 0 and {MAX_LIMIT}"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_bounded() {
        let ok = SettingsChange {
            linkedin_limit: Some(MAX_LIMIT),
            facebook_limit: Some(0),
            ..Default::default()
        };
        assert!(ok.validate().is_ok());
        let bad = SettingsChange {
            instagram_limit: Some(-1),
            ..Default::default()
        };
        assert_eq!(
            bad.validate(),
            Err("instagramLimit must be between 0 and 20".into())
        );
    }
}
