//! Percent-encoding of path segments and query strings, in plain Rust so it is unit-tested
//! natively and needs no JavaScript calls.

/// A change to one query parameter: `None` or an empty value removes it.
pub type ParamUpdate = (&'static str, Option<String>);

/// A decoded query string: pairs in their order, repeats kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// Parses `?a=1&b=x%20y` (the leading `?` is optional; `+` means a space, as in forms).
    pub fn parse(search: &str) -> Query {
        let search = search.strip_prefix('?').unwrap_or(search);
        Query(
            search
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (decode_query_part(k), decode_query_part(v))
                })
                .collect(),
        )
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A copy with `updates` applied: `None` or an empty value removes the key; other
    /// parameters keep their place.
    pub fn with(&self, updates: &[(&str, Option<String>)]) -> Query {
        let mut pairs: Vec<(String, String)> = self
            .0
            .iter()
            .filter(|(k, _)| updates.iter().all(|(u, _)| u != k))
            .cloned()
            .collect();
        for (key, value) in updates {
            if let Some(value) = value.as_ref().filter(|v| !v.is_empty()) {
                pairs.push(((*key).to_owned(), value.clone()));
            }
        }
        Query(pairs)
    }

    /// `?k=v&…`, or empty when there are no pairs.
    pub fn to_search(&self) -> String {
        let joined: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        if joined.is_empty() {
            String::new()
        } else {
            format!("?{}", joined.join("&"))
        }
    }
}

/// Percent-encodes everything but ASCII letters, digits and `-_.~`, so the result is safe
/// as one path segment or one query key or value.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes; a malformed escape stays as it is and invalid UTF-8 becomes U+FFFD.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn decode_query_part(s: &str) -> String {
    decode(&s.replace('+', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_any_text() {
        for s in [
            "",
            "plain",
            "a b&c=d",
            "ünï/cödé?#%",
            "arn:aws:eks:eu:1:cluster/x",
            "+",
        ] {
            assert_eq!(decode(&encode(s)), s, "{s:?}");
        }
        assert_eq!(encode("a b/c.d"), "a%20b%2Fc.d");
    }

    #[test]
    fn decoding_leaves_malformed_escapes() {
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%FF"), "\u{FFFD}");
    }

    #[test]
    fn parses_queries_like_url_search_params() {
        let q = Query::parse("?q=a+b%2Bc&sort=cpu&empty&sort=mem");
        assert_eq!(q.get("q"), Some("a b+c"));
        assert_eq!(q.get("sort"), Some("cpu"), "the first value wins");
        assert_eq!(q.get("empty"), Some(""));
        assert_eq!(q.get("missing"), None);
        assert_eq!(Query::parse("?"), Query::default());
    }

    #[test]
    fn updates_keep_other_parameters_in_place() {
        let q = Query::parse("history=60&q=old&sort=cpu");
        let next = q.with(&[
            ("q", Some("cart".into())),
            ("sort", None),
            ("ns", Some(String::new())),
            ("dir", Some("asc".into())),
        ]);
        assert_eq!(next.to_search(), "?history=60&q=cart&dir=asc");
        assert_eq!(Query::default().to_search(), "");
        assert_eq!(Query::parse(&next.to_search()), next);
    }
}
