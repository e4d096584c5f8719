//! Arbitrary bytes as a local JWKS document: `StaticKeys::jwks` answers Ok or Err, never
//! panics, and an Ok set is never empty.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tower_jwt_auth::StaticKeys;

fuzz_target!(|data: &[u8]| {
    if let Ok(keys) = StaticKeys::new().jwks(data) {
        assert!(!keys.is_empty(), "an Ok JWKS holds at least one key");
        assert_eq!(keys.iter().count(), keys.len());
    }
});
