//! JSON shape checks shared by every document the crate parses, and a quick scan for one
//! top-level member.

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

/// What a scan found of one top-level member of a JSON object.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Member<'a> {
    /// The member is a string without escapes.
    Text(&'a str),
    /// The object has no such member.
    Absent,
    /// The scan cannot tell (an escape, a value that is not a string, JSON it does not
    /// follow): parse the document instead.
    Unsure,
}

/// Finds the top-level string member `name` of a JSON object without parsing the object: a
/// scan that follows only plain JSON and answers [`Member::Unsure`] for anything else. It is
/// never the last word: whoever uses its answer must have a full parse agree with it later.
pub(crate) fn top_level_text<'a>(json: &'a [u8], name: &str) -> Member<'a> {
    scan(json, name.as_bytes()).unwrap_or(Member::Unsure)
}

fn scan<'a>(json: &'a [u8], name: &[u8]) -> Option<Member<'a>> {
    let mut i = skip_space(json, 0);
    if *json.get(i)? != b'{' {
        return None;
    }
    i = skip_space(json, i + 1);
    if *json.get(i)? == b'}' {
        return Some(Member::Absent);
    }
    loop {
        if *json.get(i)? != b'"' {
            return None;
        }
        let (key_end, escaped) = string_end(json, i)?;
        if escaped {
            // `"\u0069ss"` is `iss` too: only a parse can tell.
            return None;
        }
        let key = json.get(i + 1..key_end - 1)?;
        i = skip_space(json, key_end);
        if *json.get(i)? != b':' {
            return None;
        }
        i = skip_space(json, i + 1);
        let end = value_end(json, i)?;
        if key == name {
            if json[i] != b'"' || string_end(json, i)?.1 {
                return None;
            }
            return std::str::from_utf8(json.get(i + 1..end - 1)?)
                .ok()
                .map(Member::Text);
        }
        i = skip_space(json, end);
        match *json.get(i)? {
            b',' => i = skip_space(json, i + 1),
            b'}' => return Some(Member::Absent),
            _ => return None,
        }
    }
}

fn skip_space(json: &[u8], mut i: usize) -> usize {
    while matches!(json.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// Where the string opening at `i` ends (after its closing quote), and whether it holds an
/// escape.
fn string_end(json: &[u8], i: usize) -> Option<(usize, bool)> {
    let mut j = i + 1;
    let mut escaped = false;
    loop {
        j += memchr::memchr2(b'"', b'\\', json.get(j..)?)?;
        if json[j] == b'"' {
            return Some((j + 1, escaped));
        }
        escaped = true;
        j += 2;
    }
}

/// Where the value starting at `i` ends.
fn value_end(json: &[u8], i: usize) -> Option<usize> {
    match *json.get(i)? {
        b'"' => string_end(json, i).map(|(end, _)| end),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match *json.get(j)? {
                    b'"' => {
                        j = string_end(json, j)?.0;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while json
                .get(j)
                .is_some_and(|b| !matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
            {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_finds_plain_members_and_defers_the_rest() {
        fn find(json: &str) -> Member<'_> {
            top_level_text(json.as_bytes(), "iss")
        }
        assert_eq!(find(r#"{"iss":"a"}"#), Member::Text("a"));
        assert_eq!(
            find(r#" { "sub" : "x\"}" , "n": [1, {"iss": "no"}], "b": true, "iss" : "b" } "#),
            Member::Text("b")
        );
        assert_eq!(find(r#"{"sub":"x","n":-1.5e3}"#), Member::Absent);
        assert_eq!(find("{}"), Member::Absent);
        assert_eq!(find(r#"{"\u0069ss":"a"}"#), Member::Unsure);
        assert_eq!(find(r#"{"iss":"a\/b"}"#), Member::Unsure);
        assert_eq!(find(r#"{"iss":7}"#), Member::Unsure);
        assert_eq!(find(r#"["iss","a"]"#), Member::Unsure);
        assert_eq!(find(r#"{"iss""#), Member::Unsure);
        assert_eq!(find(r#"{"a":"b" "iss":"c"}"#), Member::Unsure);
    }

    proptest::proptest! {
        /// Whatever the scan answers for real JSON objects, a parse agrees with it.
        #[test]
        fn a_parse_agrees_with_every_answer_of_the_scan(
            members in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["iss", "sub", "aud", r"i\u0073s", "x"]),
                    proptest::sample::select(vec![
                        r#""plain""#, r#""esc\"aped""#, "12", "-1.5e3", "true", "null",
                        r#"[1, "]", {"iss": "inner"}]"#, r#"{"iss": "nested", "k": [{}]}"#,
                        r#""u\u00e9""#, r#""{[""#,
                    ]),
                ),
                0..6,
            ),
            space in proptest::sample::select(vec!["", " ", "\n\t "]),
        ) {
            let body: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{space}\"{k}\"{space}:{space}{v}{space}"))
                .collect();
            let json = format!("{space}{{{}}}{space}", body.join(","));
            let parsed: serde_json::Map<String, serde_json::Value> =
                match serde_json::from_str(&json) {
                    Ok(map) => map,
                    Err(_) => return Ok(()),
                };
            let first = members.iter().find(|(k, _)| serde_json::from_str::<String>(&format!("\"{k}\"")).ok().as_deref() == Some("iss"));
            match top_level_text(json.as_bytes(), "iss") {
                Member::Text(found) => {
                    let (_, raw) = first.expect("an iss member");
                    let value = serde_json::from_str::<String>(raw).ok();
                    proptest::prop_assert_eq!(value.as_deref(), Some(found));
                }
                Member::Absent => proptest::prop_assert!(!parsed.contains_key("iss")),
                Member::Unsure => {}
            }
        }
    }

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
