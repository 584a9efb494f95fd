//! The mail that confirms an address a person chose for their Daily Digest. Until its
//! link is followed the digest keeps going where it went: anyone can type anyone's
//! address, and a compliance digest lists a tenant's accounts and their owners.

use chrono::Duration;

use super::render::Rendered;
use crate::domain::input::{escape_html, plain};

/// What the confirmation links' key is derived for (see `Signer::for_purpose`).
pub const PURPOSE: &str = "socialgate digest address confirmation v1";

/// How long a confirmation link works: long enough for a weekend, short enough that an
/// old mail in a shared inbox is not an open door.
pub const VALID_FOR: Duration = Duration::hours(48);

/// The confirmation mail to `address` for `name` (their name as their token gave it),
/// whose link is `url`.
pub fn render(name: Option<&str>, address: &str, url: &str) -> Rendered {
    let greeting = match name.map(plain).filter(|n| !n.trim().is_empty()) {
        Some(name) => format!("Hello {name},"),
        None => "Hello,".to_owned(),
    };
    let hours = VALID_FOR.num_hours();
    let subject = "Confirm the address for your Daily Digest".to_owned();
    let text = format!(
        "{greeting}\n\n\
         Someone, hopefully you, asked for the socialgate Daily Digest to be sent to\n\
         {address}.\n\n\
         To confirm, open this link within {hours} hours:\n{url}\n\n\
         Until then the digest keeps going where it went before. If you did not ask for\n\
         this, ignore this mail: nothing will be sent here.\n"
    );
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{subject}</title></head>\
         <body style=\"font-family: system-ui, sans-serif; color: #1f2933; max-width: 560px;\">\
         <p>{greeting}</p>\
         <p>Someone, hopefully you, asked for the socialgate Daily Digest to be sent to \
         <strong>{address}</strong>.</p>\
         <p><a href=\"{url}\" style=\"display: inline-block; padding: 10px 16px; background: #1f5fbf; \
         color: #fff; border-radius: 6px; text-decoration: none;\">Confirm this address</a></p>\
         <p>The link works for {hours} hours. Until then the digest keeps going where it went \
         before. If you did not ask for this, ignore this mail: nothing will be sent here.</p>\
         </body></html>",
        greeting = escape_html(&greeting),
        address = escape_html(address),
        url = escape_html(url),
    );
    Rendered {
        subject,
        text,
        html,
    }
}
