//! Where a secret could show in text (a log, a `Debug` string), for tests that prove it
//! never does.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;

/// Every form of `secret` that shows in `text`: as is, its halves, base64, hex, the decimal
/// list of its first bytes.
pub fn leaked_forms(text: &str, secret: &[u8]) -> Vec<String> {
    let mut forms = vec![
        STANDARD.encode(secret),
        URL_SAFE_NO_PAD.encode(secret),
        secret.iter().map(|b| format!("{b:02x}")).collect(),
        format!("{:?}", &secret[..secret.len().min(8)])
            .trim_matches(['[', ']'])
            .to_owned(),
    ];
    if let Ok(s) = std::str::from_utf8(secret) {
        forms.push(s.to_owned());
        forms.push(s[..s.len() / 2].to_owned());
        forms.push(s[s.len() / 2..].to_owned());
    }
    forms
        .into_iter()
        .filter(|f| f.len() >= 8 && text.contains(f.as_str()))
        .collect()
}

/// The first 8-byte window of `bytes` that shows in `text` (a Debug string) as a decimal list
/// (`48, 49, ...`) or as hex.
pub fn leaked_window(text: &str, bytes: &[u8]) -> Option<String> {
    for window in bytes.windows(8) {
        let decimal = format!("{window:?}");
        let decimal = decimal.trim_start_matches('[').trim_end_matches(']');
        if text.contains(decimal) {
            return Some(decimal.to_owned());
        }
        let hex: String = window.iter().map(|b| format!("{b:02x}")).collect();
        if text.to_ascii_lowercase().contains(&hex) {
            return Some(hex);
        }
    }
    None
}
