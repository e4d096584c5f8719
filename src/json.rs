//! JSON shape checks shared by every document the crate parses.

/// Whether `json` is a JSON object (RFC 8259 whitespace, then `{`).
///
/// Derived `Deserialize` impls of structs also accept a JSON array of the fields in order;
/// JOSE headers, claims sets, JWKS and discovery documents must be objects (RFC 7515 §4,
/// RFC 7519 §7.2, RFC 7517 §5), so parsers check this first.
pub(crate) fn is_object(json: &[u8]) -> bool {
    json.iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .is_some_and(|b| *b == b'{')
}

#[cfg(test)]
mod tests {
    use super::is_object;

    #[test]
    fn only_objects_are_objects() {
        assert!(is_object(b"{}"));
        assert!(is_object(b" \r\n\t{\"a\":1}"));
        assert!(!is_object(b"[\"HS256\"]"));
        assert!(!is_object(b""));
        assert!(!is_object(b"\x0c{}"));
        assert!(!is_object(b"null"));
    }
}
