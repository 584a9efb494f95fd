//! Bounds on every string that reaches a column, checked at the edge so that both
//! database engines see only what both accept. SQLite stores any length and any byte;
//! PostgreSQL refuses text longer than a `varchar(n)` column and the NUL character, so
//! without these checks the same bad input would be stored on one engine and turn
//! into an internal error on the other. Here it is refused the same way everywhere.

/// Longest tenant id (`tenant_id` claim), subject (`sub`), person's name, external
/// account id and display name: their columns hold 255 characters.
pub const MAX_NAME: usize = 255;
/// Longest e-mail address (RFC 5321 allows 320 octets in practice).
pub const MAX_EMAIL: usize = 320;
/// Longest URL kept (`returnTo`, profile URLs).
pub const MAX_URL: usize = 2048;
/// Longest compliance note or rejection note.
pub const MAX_NOTE: usize = 4000;
/// Longest opaque token a client echoes back (completion codes).
pub const MAX_TOKEN: usize = 128;

/// Whether line breaks and tabs are allowed (notes), or no control character at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    Single,
    Multi,
}

/// `value` if it has at most `max` characters and no character that does not belong
/// in text (NUL and other control characters; line breaks and tabs only in
/// [`Lines::Multi`] text). The refusal names `field`.
pub fn text<'a>(field: &str, value: &'a str, max: usize, lines: Lines) -> Result<&'a str, String> {
    if value.chars().count() > max {
        return Err(format!("{field} is longer than {max} characters"));
    }
    let allowed = |c: char| lines == Lines::Multi && matches!(c, '\n' | '\r' | '\t');
    if value.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(format!(
            "{field} contains a control character (such as NUL or a line break)"
        ));
    }
    Ok(value)
}

/// `value` cut to at most `max` characters (for names a network reports, which are
/// shown, not keys).
pub fn clip(value: &str, max: usize) -> String {
    value
        .chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect()
}

/// Characters that reorder or break the text around them without being visible: the
/// bidirectional embeddings, overrides and isolates, and the line and paragraph
/// separators. A name carrying them could make a mail line read as something else.
fn invisible_steering(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
            | '\u{2028}' | '\u{2029}'
    )
}

/// `value` as a name to show in plain text (mail): control characters and invisible
/// steering characters dropped.
pub fn plain(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control() && !invisible_steering(*c))
        .collect()
}

/// `text` for an HTML page or mail, with `&`, `<`, `>`, `"` and `'` replaced by entities.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_counts_characters_not_bytes() {
        let name = "é".repeat(MAX_NAME);
        assert!(text("name", &name, MAX_NAME, Lines::Single).is_ok());
        let longer = format!("{name}x");
        assert_eq!(
            text("name", &longer, MAX_NAME, Lines::Single),
            Err("name is longer than 255 characters".into())
        );
    }

    #[test]
    fn control_characters_are_refused_but_notes_keep_their_lines() {
        assert!(text("note", "a\0b", MAX_NOTE, Lines::Multi).is_err());
        assert!(text("note", "line one\nline two\tend", MAX_NOTE, Lines::Multi).is_ok());
        assert!(text("returnTo", "https://a/\r\nX: y", MAX_URL, Lines::Single).is_err());
        assert!(text("sub", "alice", MAX_NAME, Lines::Single).is_ok());
    }

    #[test]
    fn plain_names_lose_what_steers_the_text() {
        assert_eq!(plain("Ada\u{202E}gnp.exe"), "Adagnp.exe");
        assert_eq!(plain("line\u{2028}break\u{2066}x\u{2069}"), "linebreakx");
        assert_eq!(plain("Zoë O'Neil"), "Zoë O'Neil");
    }

    #[test]
    fn clipping_keeps_at_most_max_characters() {
        assert_eq!(clip("ab\0cdef", 3), "abc");
        assert_eq!(clip("short", 255), "short");
    }
}
