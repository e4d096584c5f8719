//! Text from elsewhere made safe to print: escaped, shortened, and stripped of secrets.
//!
//! Anything a remote server or a token chose (a `kid`, a `kty`, an issuer, a URL) goes through
//! here before it reaches a log line or an error message, so it can neither forge a line nor
//! flood one.

use std::fmt::Write as _;

/// The most characters of outside text kept in one message.
const MAX_CHARS: usize = 64;
/// The most characters of a URL kept in one message.
#[cfg_attr(not(feature = "remote"), allow(dead_code))]
const MAX_URL_CHARS: usize = 200;

/// `text` with control characters, quotes and non-ASCII escaped (`\n`, `\u{202e}`), cut to
/// 64 characters with `...` when longer.
pub(crate) fn for_log(text: &str) -> String {
    escaped(text, MAX_CHARS)
}

fn escaped(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max) + 3);
    let mut chars = text.chars();
    for c in chars.by_ref().take(max) {
        match c {
            ' '..='~' if c != '\\' && c != '"' && c != '\'' => out.push(c),
            _ => {
                let _ = write!(out, "{}", c.escape_default());
            }
        }
    }
    if chars.next().is_some() {
        out.push_str("...");
    }
    out
}

/// A URL fit to print: user name, password, query and fragment replaced with `***`, the rest
/// escaped and cut to 200 characters.
///
/// `https://user:pass@idp.example/jwks?key=s3cret#x` prints as
/// `https://***@idp.example/jwks?***`.
#[cfg_attr(not(feature = "remote"), allow(dead_code))]
pub(crate) fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(at) => (&url[..at + 3], &url[at + 3..]),
        None => ("", url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, after) = rest.split_at(authority_end);
    let host = match authority.rfind('@') {
        Some(at) => (true, &authority[at + 1..]),
        None => (false, authority),
    };
    let path_end = after.find(['?', '#']).unwrap_or(after.len());
    let (path, tail) = after.split_at(path_end);
    let mut out = String::from(scheme);
    if host.0 {
        out.push_str("***@");
    }
    out.push_str(host.1);
    out.push_str(path);
    if tail.starts_with('?') {
        out.push_str("?***");
    } else if tail.starts_with('#') {
        out.push_str("#***");
    }
    escaped(&out, MAX_URL_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_text_cannot_break_a_line() {
        assert_eq!(for_log("kid-1"), "kid-1");
        assert_eq!(for_log("a\nb\r\"c\u{202e}"), "a\\nb\\r\\\"c\\u{202e}");
        let long = "x".repeat(100);
        assert_eq!(for_log(&long), format!("{}...", "x".repeat(64)));
        assert_eq!(for_log("é"), "\\u{e9}");
    }

    #[test]
    fn urls_lose_their_secrets() {
        assert_eq!(
            redact_url("https://user:pass@idp.example/jwks?key=s3cret#x"),
            "https://***@idp.example/jwks?***"
        );
        assert_eq!(
            redact_url("https://idp.example/a/b"),
            "https://idp.example/a/b"
        );
        assert_eq!(
            redact_url("https://idp.example#frag"),
            "https://idp.example#***"
        );
        assert_eq!(
            redact_url("https://a@b@c.example/"),
            "https://***@c.example/"
        );
        assert_eq!(redact_url("no scheme?q=1"), "no scheme?***");
        assert_eq!(
            redact_url("https://é\n.example/"),
            "https://\\u{e9}\\n.example/"
        );
        assert!(redact_url(&format!("https://h/{}", "p".repeat(500))).len() < 210);
    }
}
