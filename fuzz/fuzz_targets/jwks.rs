//! Arbitrary bytes as a local JWKS document: `StaticKeys::jwks` answers Ok or Err, never
//! panics, and an Ok set is never empty.
//!
//! The same bytes, as text, also fill each member a hostile key set controls (`kid`, `kty`,
//! `crv`, `alg`, `use`) of an otherwise good key, twice over so that the `kid` is a duplicate:
//! non-ASCII, control characters and huge values included, the error is one short line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tower_jwt_auth::{ConfigError, StaticKeys};

/// A good Ed25519 public key (`x` of RFC 8037's example).
const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
/// The longest error message a hostile member may cause: a prefix plus 64 characters escaped
/// at up to 10 bytes each.
const MAX_MESSAGE: usize = 1024;

fn check_message(error: &ConfigError) {
    let message = error.to_string();
    assert!(!message.contains(['\n', '\r']), "a line break in {message:?}");
    assert!(message.len() <= MAX_MESSAGE, "{} bytes", message.len());
}

fuzz_target!(|data: &[u8]| {
    match StaticKeys::new().jwks(data) {
        Ok(keys) => {
            assert!(!keys.is_empty(), "an Ok JWKS holds at least one key");
            assert_eq!(keys.iter().count(), keys.len());
        }
        Err(error) => check_message(&error),
    }

    let text = String::from_utf8_lossy(data);
    for member in ["kid", "kty", "crv", "alg", "use"] {
        let mut key = serde_json::json!({ "kty": "OKP", "crv": "Ed25519", "x": ED_X, "kid": "k" });
        key[member] = serde_json::Value::from(text.as_ref());
        let document = serde_json::json!({ "keys": [key.clone(), key] }).to_string();
        if let Err(error) = StaticKeys::new().jwks(document) {
            check_message(&error);
        }
    }
});
