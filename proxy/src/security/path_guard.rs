//! Refuses request paths that smuggle structure through encoding (`%2e%2e`, `%2F`, `%252e`,
//! NUL, …) before any route sees them, so no handler has to think about it.

/// Why a path was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// A `.` or `..` segment, raw or encoded.
    #[error("dot segments are not allowed in paths")]
    DotSegment,
    /// An encoded `/`, `\`, `.` or `%` (double encoding).
    #[error("encoded separators, dots or percent signs are not allowed in paths")]
    EncodedSeparator,
    /// A control character, raw or encoded, or a raw byte outside printable ASCII.
    #[error("control characters are not allowed in paths")]
    ControlCharacter,
    /// A `%` not followed by two hex digits, or bytes that are not UTF-8.
    #[error("malformed percent-encoding in path")]
    BadEncoding,
    /// A path starting with `//` (would read as another host in a redirect).
    #[error("paths must not start with //")]
    DoubleSlash,
}

/// Checks a raw (still encoded) request path.
///
/// One exception: the context segment, after `/api/v1/contexts/` or after `/c/` in an app
/// page's path, may hold an encoded `/`, because kubeconfig context names contain slashes
/// (EKS ARNs). That segment is only ever matched exactly against the kubeconfig's names,
/// never put into an upstream URL.
pub fn check_path(raw: &str) -> Result<(), PathError> {
    if raw.starts_with("//") {
        return Err(PathError::DoubleSlash);
    }
    let segments: Vec<&str> = raw.strip_prefix('/').unwrap_or(raw).split('/').collect();
    let context_at = match segments.as_slice() {
        ["api", "v1", "contexts", _, ..] => Some(3),
        ["c", _, ..] => Some(1),
        _ => None,
    };
    for (i, segment) in segments.iter().enumerate() {
        check_segment(segment, context_at == Some(i))?;
    }
    Ok(())
}

fn check_segment(segment: &str, slash_allowed: bool) -> Result<(), PathError> {
    if segment == "." || segment == ".." {
        return Err(PathError::DotSegment);
    }
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if !(0x20..0x7f).contains(&b) || b == b'\\' {
            return Err(PathError::ControlCharacter);
        }
        if b != b'%' {
            decoded.push(b);
            i += 1;
            continue;
        }
        let hex = bytes.get(i + 1..i + 3).ok_or(PathError::BadEncoding)?;
        let hex = std::str::from_utf8(hex).map_err(|_| PathError::BadEncoding)?;
        let value = u8::from_str_radix(hex, 16).map_err(|_| PathError::BadEncoding)?;
        match value {
            0x00..=0x1f | 0x7f => return Err(PathError::ControlCharacter),
            b'%' | b'.' | b'\\' => return Err(PathError::EncodedSeparator),
            b'/' if !slash_allowed => return Err(PathError::EncodedSeparator),
            _ => decoded.push(value),
        }
        i += 3;
    }
    let decoded = std::str::from_utf8(&decoded).map_err(|_| PathError::BadEncoding)?;
    if decoded.split('/').any(|part| part == "." || part == "..") {
        return Err(PathError::DotSegment);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ordinary_paths_pass() {
        for ok in [
            "/",
            "/pods",
            "/nodes/kwok-node-1",
            "/index-4f2a.js",
            "/api/v1/contexts",
            "/api/v1/contexts/kind-dev/snapshot",
            "/api/v1/contexts/arn:aws:eks:eu-west-1:1:cluster%2Fprod/snapshot",
            "/api/v1/contexts/k%C3%BCche/snapshot",
            "/api/v1/contexts/dev/namespaces/shop/pods/web-0/log",
            "/c/arn:aws:eks:eu-west-1:1:cluster%2Fprod/pods",
        ] {
            assert_eq!(check_path(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn hostile_paths_fail() {
        use PathError::*;
        for (bad, why) in [
            ("/api/v1/../../secrets", DotSegment),
            ("/api/v1/contexts/dev/namespaces/./pods", DotSegment),
            (
                "/api/v1/contexts/dev/namespaces/%2e%2e/pods",
                EncodedSeparator,
            ),
            (
                "/api/v1/contexts/dev/namespaces/%2E%2E/pods",
                EncodedSeparator,
            ),
            (
                "/api/v1/contexts/dev/namespaces/a%2Fb/pods",
                EncodedSeparator,
            ),
            (
                "/api/v1/contexts/dev/namespaces/%252e%252e/pods",
                EncodedSeparator,
            ),
            ("/api%2fv1/contexts", EncodedSeparator),
            ("/api/v1/contexts/a%5c..%5cb/snapshot", EncodedSeparator),
            ("/api/v1/contexts/dev%00/snapshot", ControlCharacter),
            (
                "/api/v1/contexts/dev%0d%0aX-Evil:1/snapshot",
                ControlCharacter,
            ),
            ("/a\\b", ControlCharacter),
            ("/a\u{7f}", ControlCharacter),
            ("/api/v1/contexts/%zz/snapshot", BadEncoding),
            ("/api/v1/contexts/%2/snapshot", BadEncoding),
            ("/api/v1/contexts/%ff/snapshot", BadEncoding),
            ("//evil.example/", DoubleSlash),
            ("/api/v1/contexts/..%2f..%2fsecrets/snapshot", DotSegment),
            ("/c/dev/nodes/a%2Fb", EncodedSeparator),
        ] {
            assert_eq!(check_path(bad), Err(why), "{bad}");
        }
    }

    /// Decodes like a naive proxy would, repeatedly, to find what a path could turn into.
    fn decode_all(s: &str) -> String {
        let mut current = s.to_owned();
        for _ in 0..4 {
            let mut out = Vec::new();
            let b = current.as_bytes();
            let mut i = 0;
            while i < b.len() {
                let hex = b
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match (b[i], hex) {
                    (b'%', Some(v)) => {
                        out.push(v);
                        i += 3;
                    }
                    (c, _) => {
                        out.push(c);
                        i += 1;
                    }
                }
            }
            current = String::from_utf8_lossy(&out).into_owned();
        }
        current
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Whatever passes cannot decode, however often, into a traversal or a control character.
        #[test]
        fn accepted_paths_never_decode_to_traversal(
            parts in prop::collection::vec("([a-z.]|%2[eEfF5]|%25|%5[cC]|%0[0a]|/|\\.\\.)(.{0,3})", 1..6)
        ) {
            let path = format!("/api/v1/contexts/dev/namespaces/{}", parts.concat());
            if check_path(&path).is_ok() {
                let decoded = decode_all(&path);
                prop_assert!(!decoded.split('/').any(|s| s == ".." || s == "."), "{path} → {decoded}");
                prop_assert!(!decoded.chars().any(char::is_control), "{path}");
                prop_assert_eq!(decoded.matches('/').count(), path.matches('/').count(), "{}", path);
            }
        }
    }
}
