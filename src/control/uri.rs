//! Percent-encoding of path segments and query strings, both ways. Unit
//! names carry characters a URL cannot (`\x2d`, spaces in escaped paths),
//! so every name is encoded by the client and decoded by the server.

use super::backend::ApiError;

/// Characters left as they are: RFC 3986's unreserved set, plus `@` and `:`
/// so that template instances (`getty@tty1.service`) stay readable.
fn is_kept(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@' | b':')
}

/// Encodes one path segment or query value.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if is_kept(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX_DIGITS[usize::from(b >> 4)]));
            out.push(char::from(HEX_DIGITS[usize::from(b & 0xf)]));
        }
    }
    out
}

const HEX_DIGITS: &[u8; 16] = b"0123456789ABCDEF";

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` escapes. A `+` stays a `+` (timestamps carry zone offsets).
pub fn decode_component(text: &str) -> Result<String, ApiError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let high = bytes.get(i + 1).copied().and_then(hex_value);
            let low = bytes.get(i + 2).copied().and_then(hex_value);
            match (high, low) {
                (Some(h), Some(l)) => out.push(h << 4 | l),
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "invalid percent escape in '{text}'"
                    )));
                }
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| ApiError::bad_request(format!("'{text}' does not decode to UTF-8")))
}

/// A decoded query string: `name=value` pairs in the order given. A name
/// may repeat (`?unit=a&unit=b`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Result<Query, ApiError> {
        let mut pairs = Vec::new();
        for piece in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
            pairs.push((decode_component(name)?, decode_component(value)?));
        }
        Ok(Query { pairs })
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.pairs.iter().map(|(n, _)| n.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The last value given for `name`.
    pub fn last(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A value parsed with `parse`; a value it refuses is a 400 naming the parameter.
    pub fn parsed<T>(
        &self,
        name: &str,
        expected: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, ApiError> {
        match self.last(name) {
            None => Ok(None),
            Some(v) => parse(v).map(Some).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "invalid value '{v}' for query parameter '{name}': expected {expected}"
                ))
            }),
        }
    }

    /// A flag: present without a value, or `true`/`1`/`yes`; `false`/`0`/`no` turn it off.
    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        let value = self.parsed(name, "true or false", |v| match v {
            "" | "1" | "true" | "yes" => Some(true),
            "0" | "false" | "no" => Some(false),
            _ => None,
        })?;
        Ok(value.unwrap_or(false))
    }
}

/// Builds `?a=1&b=2` (or nothing) from pairs, encoding the values.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        out.push(if out.is_empty() { '?' } else { '&' });
        out.push_str(name);
        out.push('=');
        out.push_str(&encode_component(value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn unit_names_keep_their_readable_characters() {
        assert_eq!(encode_component("getty@tty1.service"), "getty@tty1.service");
        assert_eq!(encode_component("mnt-a\\x2db.mount"), "mnt-a%5Cx2db.mount");
        assert_eq!(encode_component("a b/c?d"), "a%20b%2Fc%3Fd");
    }

    #[test]
    fn bad_escapes_are_refused_with_the_text() {
        let e = decode_component("a%zz").unwrap_err();
        assert_eq!(e.message, "invalid percent escape in 'a%zz'");
        assert!(decode_component("%").is_err());
        assert!(decode_component("%ff").is_err());
        assert_eq!(decode_component("a+b%2B").unwrap(), "a+b+");
    }

    #[test]
    fn queries_keep_repeats_in_order() {
        let q = Query::parse(Some("unit=a&unit=b%40c&follow&lines=3&&")).unwrap();
        assert_eq!(q.all("unit"), vec!["a", "b@c"]);
        assert!(q.flag("follow").unwrap());
        assert!(!q.flag("all").unwrap());
        assert_eq!(
            q.parsed("lines", "a number", |v| v.parse::<u64>().ok())
                .unwrap(),
            Some(3)
        );
        let e = Query::parse(Some("lines=x"))
            .unwrap()
            .parsed("lines", "a number", |v| v.parse::<u64>().ok());
        assert_eq!(
            e.unwrap_err().message,
            "invalid value 'x' for query parameter 'lines': expected a number"
        );
        assert!(
            Query::parse(Some("follow=maybe"))
                .unwrap()
                .flag("follow")
                .is_err()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn encoding_round_trips(text in "\\PC{0,40}") {
            let encoded = encode_component(&text);
            prop_assert!(encoded.bytes().all(|b| is_kept(b) || b == b'%' || b.is_ascii_hexdigit()));
            prop_assert_eq!(decode_component(&encoded).unwrap(), text.clone());
            let q = Query::parse(Some(query_string(&[("v", text.clone())]).trim_start_matches('?'))).unwrap();
            prop_assert_eq!(q.last("v"), Some(text.as_str()));
        }

        #[test]
        fn decoding_never_panics(text in "[%0-9a-fA-F+&=\\PC]{0,40}") {
            let _ = decode_component(&text);
            let _ = Query::parse(Some(&text));
        }
    }
}
