//! DER encoding, for keys and signatures built by hand.

/// One DER element.
pub fn der(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(contents);
    out
}

/// A positive DER INTEGER of big-endian `value`.
pub fn der_integer(value: &[u8]) -> Vec<u8> {
    let mut contents = Vec::new();
    if value.first().is_none_or(|b| b & 0x80 != 0) {
        contents.push(0);
    }
    contents.extend_from_slice(value);
    der(0x02, &contents)
}
