//! Mail: the Daily Digest rendered ([`render`]), signed one-click unsubscribe links
//! ([`unsubscribe`]), and the transport that sends it.
//!
//! With `SOCIALGATE_SMTP_URL` set, mail goes out over SMTP (`smtp://` plain or with
//! `?tls=required` STARTTLS, `smtps://` TLS from the start). Without it, dev mode writes
//! each mail as an `.eml` file into `{data folder}/mail`, which any mail program opens;
//! otherwise mail is off and the digest job does nothing.

pub mod confirm;
pub mod render;
pub mod unsubscribe;

use std::{path::PathBuf, time::Duration};

use chrono::{DateTime, Utc};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Mailbox, MultiPart,
        header::{Header, HeaderName, HeaderValue},
    },
};

use crate::{
    config::Config,
    crypto::Keyring,
    error::{AppError, AppResult},
};
use render::Rendered;
use unsubscribe::Signer;

/// How long one SMTP conversation may take before the send counts as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where mail goes.
#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
    Off,
}

/// Sends mail; built once from the configuration.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    signer: Signer,
    confirmations: Signer,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let transport = match &self.transport {
            Transport::Smtp(_) => "smtp".to_owned(),
            Transport::Files(dir) => format!("files in {}", dir.display()),
            Transport::Off => "off".to_owned(),
        };
        f.debug_struct("Mailer")
            .field("transport", &transport)
            .field("from", &self.from.to_string())
            .finish()
    }
}

/// One mail to send.
pub struct Outgoing<'a> {
    pub to: &'a str,
    pub rendered: &'a Rendered,
    /// Without angle brackets: `id@host`.
    pub message_id: &'a str,
    pub date: DateTime<Utc>,
    /// The digest's one-click unsubscribe link (`List-Unsubscribe` headers); none on
    /// a mail that is not part of a subscription, such as an address confirmation.
    pub unsubscribe_url: Option<&'a str>,
    /// File name (without `.eml`) in dev mode.
    pub file_stem: &'a str,
}

impl Mailer {
    /// The transport the configuration asks for; refuses an unreadable SMTP URL or
    /// `From` address at start rather than at the first send.
    pub fn from_config(config: &Config, keyring: &Keyring) -> AppResult<Mailer> {
        let transport = match &config.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| {
                        AppError::BadUserInput(format!("SOCIALGATE_SMTP_URL is not usable: {e}"))
                    })?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
            ),
            None if config.dev => Transport::Files(config.data_dir.join("mail")),
            None => Transport::Off,
        };
        let from = config.smtp_from.parse::<Mailbox>().map_err(|e| {
            AppError::BadUserInput(format!("SOCIALGATE_SMTP_FROM is not an address: {e}"))
        })?;
        let signer = match &config.unsubscribe_key {
            Some(key) => Signer::new(key.expose().as_bytes()),
            None => Signer::new(&keyring.derive(unsubscribe::KEY_LABEL)),
        };
        let confirmations = signer.for_purpose(confirm::PURPOSE, confirm::VALID_FOR);
        Ok(Mailer {
            transport,
            from,
            signer,
            confirmations,
        })
    }

    /// Whether mail goes anywhere.
    pub fn is_on(&self) -> bool {
        !matches!(self.transport, Transport::Off)
    }

    /// Signs and checks unsubscribe links.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// Signs and checks the links that confirm an address chosen for the digest.
    pub fn confirmations(&self) -> &Signer {
        &self.confirmations
    }

    /// The domain part of Message-IDs: the `From` address's.
    pub fn id_domain(&self) -> String {
        self.from.email.domain().to_owned()
    }

    /// Sends one mail; the error says why it failed, for the delivery record.
    pub async fn send(&self, mail: Outgoing<'_>) -> Result<(), String> {
        let message = self.message(&mail)?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| format!("SMTP: {e}")),
            Transport::Files(dir) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let path = dir.join(format!("{}.eml", mail.file_stem));
                tokio::fs::write(&path, message.formatted())
                    .await
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                tracing::info!(path = %path.display(), "mail written (dev mode)");
                Ok(())
            }
            Transport::Off => Err("mail is off".to_owned()),
        }
    }

    fn message(&self, mail: &Outgoing<'_>) -> Result<Message, String> {
        let to = mail
            .to
            .parse::<Mailbox>()
            .map_err(|e| format!("recipient {:?}: {e}", mail.to))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.rendered.subject.clone())
            .date(mail.date.into())
            .message_id(Some(format!("<{}>", mail.message_id)));
        if let Some(url) = mail.unsubscribe_url {
            builder = builder
                .header(ListUnsubscribe(format!("<{url}>")))
                .header(ListUnsubscribePost);
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                mail.rendered.text.clone(),
                mail.rendered.html.clone(),
            ))
            .map_err(|e| format!("building the message: {e}"))
    }
}

type ParseError = Box<dyn std::error::Error + Send + Sync>;

/// `List-Unsubscribe: <https://…>` (RFC 2369).
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, ParseError> {
        Ok(ListUnsubscribe(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): the link may be
/// POSTed to by the mail client, without a page in between.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, ParseError> {
        Ok(ListUnsubscribePost)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}
