//! `pods/log` parameters, names validated and every bound checked before kube sees them, and
//! the log's bytes made text.

use kube::api::LogParams;
use serde::Deserialize;

use super::ReadError;
use crate::security::names;

const DEFAULT_TAIL_LINES: u32 = 500;
const MAX_TAIL_LINES: u32 = 10_000;
const DEFAULT_LIMIT_BYTES: u32 = 1 << 20;
const MAX_LIMIT_BYTES: u32 = 4 << 20;
const MAX_SINCE_SECONDS: u32 = 7 * 24 * 3600;

/// The query parameters the logs endpoint understands; anything else is refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LogQuery {
    /// Container name (required for pods with several).
    pub container: Option<String>,
    /// Lines from the end (default 500, at most 10 000).
    pub tail_lines: Option<u32>,
    /// The previous instance's logs.
    pub previous: Option<bool>,
    /// Prefix lines with RFC 3339 timestamps.
    pub timestamps: Option<bool>,
    /// Bytes at most (default 1 MiB, at most 4 MiB).
    pub limit_bytes: Option<u32>,
    /// Only lines newer than this many seconds (at most 7 days).
    pub since_seconds: Option<u32>,
}

/// A log read whose names and bounds have been checked.
#[derive(Debug)]
pub struct LogRequest {
    pub(super) namespace: String,
    pub(super) pod: String,
    pub(super) params: LogParams,
}

impl LogRequest {
    /// Validates names and bounds; nothing here reaches the network.
    pub fn new(namespace: &str, pod: &str, query: &LogQuery) -> Result<Self, ReadError> {
        Ok(Self {
            namespace: namespace.to_owned(),
            pod: pod.to_owned(),
            params: params(namespace, pod, query)?,
        })
    }
}

fn params(namespace: &str, pod: &str, query: &LogQuery) -> Result<LogParams, ReadError> {
    let bad = |e: names::InvalidName| ReadError::BadRequest(e.to_string());
    names::label("namespace", namespace).map_err(bad)?;
    names::subdomain("pod", pod).map_err(bad)?;
    if let Some(c) = &query.container {
        names::label("container", c).map_err(bad)?;
    }
    let tail = query.tail_lines.unwrap_or(DEFAULT_TAIL_LINES);
    let limit = query.limit_bytes.unwrap_or(DEFAULT_LIMIT_BYTES);
    if tail == 0 || tail > MAX_TAIL_LINES {
        return Err(ReadError::BadRequest(format!(
            "tailLines must be 1..={MAX_TAIL_LINES}"
        )));
    }
    if limit == 0 || limit > MAX_LIMIT_BYTES {
        return Err(ReadError::BadRequest(format!(
            "limitBytes must be 1..={MAX_LIMIT_BYTES}"
        )));
    }
    if query
        .since_seconds
        .is_some_and(|s| s == 0 || s > MAX_SINCE_SECONDS)
    {
        return Err(ReadError::BadRequest(format!(
            "sinceSeconds must be 1..={MAX_SINCE_SECONDS}"
        )));
    }
    Ok(LogParams {
        container: query.container.clone(),
        tail_lines: Some(i64::from(tail)),
        limit_bytes: Some(i64::from(limit)),
        previous: query.previous.unwrap_or(false),
        timestamps: query.timestamps.unwrap_or(false),
        since_seconds: query.since_seconds.map(i64::from),
        ..LogParams::default()
    })
}

/// A log's bytes as text, whatever they hold. An invalid byte becomes U+FFFD and spoils only
/// its own character, never a newline, so every other character of its line and every other
/// line read as written. A character cut short at the very end, where `limitBytes` stopped the
/// read, is dropped rather than shown as a stray U+FFFD.
pub fn log_text(bytes: &[u8]) -> String {
    let whole = match bytes.utf8_chunks().last() {
        Some(last) if is_cut_short(last.invalid()) => &bytes[..bytes.len() - last.invalid().len()],
        _ => bytes,
    };
    String::from_utf8_lossy(whole).into_owned()
}

/// True for the start of a character whose remaining bytes are missing (not for bytes that
/// can never be UTF-8).
fn is_cut_short(tail: &[u8]) -> bool {
    std::str::from_utf8(tail).is_err_and(|e| e.error_len().is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_bounded() {
        let p = params("shop", "web-0", &LogQuery::default()).expect("valid");
        assert_eq!(p.tail_lines, Some(500));
        assert_eq!(p.limit_bytes, Some(1 << 20));
        assert!(!p.follow, "no unbounded streams");
    }

    #[test]
    fn bad_names_and_bounds_never_reach_kube() {
        let q = LogQuery::default();
        for (ns, pod) in [
            ("..", "x"),
            ("shop", "../secrets"),
            ("a/b", "x"),
            ("shop", "x\0"),
            ("Shop", "x"),
        ] {
            assert!(
                matches!(params(ns, pod, &q), Err(ReadError::BadRequest(_))),
                "{ns} {pod}"
            );
        }
        for q in [
            LogQuery {
                container: Some("a/b".into()),
                ..LogQuery::default()
            },
            LogQuery {
                tail_lines: Some(0),
                ..LogQuery::default()
            },
            LogQuery {
                tail_lines: Some(10_001),
                ..LogQuery::default()
            },
            LogQuery {
                limit_bytes: Some(5 << 20),
                ..LogQuery::default()
            },
            LogQuery {
                since_seconds: Some(0),
                ..LogQuery::default()
            },
        ] {
            assert!(
                matches!(params("shop", "web-0", &q), Err(ReadError::BadRequest(_))),
                "{q:?}"
            );
        }
    }

    #[test]
    fn every_line_of_a_log_with_bad_bytes_reads() {
        assert_eq!(log_text(b"plain\n\xc3\xa9t\xc3\xa9\n"), "plain\nété\n");
        // Invalid bytes in the middle: each becomes one U+FFFD, the lines around stay whole.
        assert_eq!(
            log_text(b"a\nb\xffc\xc0\n\xed\xa0\x80d\ne\n"),
            "a\nb\u{FFFD}c\u{FFFD}\n\u{FFFD}\u{FFFD}\u{FFFD}d\ne\n"
        );
        // A character cut at the end by limitBytes is dropped, whatever its length.
        assert_eq!(log_text(b"x\ny \xe2\x82"), "x\ny ");
        assert_eq!(log_text(b"x\ny \xf0\x9f\x98"), "x\ny ");
        assert_eq!(log_text(b"x\ny \xc3"), "x\ny ");
        // But a byte that can never start a character is shown as such, even at the end.
        assert_eq!(log_text(b"x\ny \xff"), "x\ny \u{FFFD}");
        // Only the last character can be cut short: an unfinished one earlier is invalid.
        assert_eq!(log_text(b"\xe2\x82\nz"), "\u{FFFD}\nz");
    }
}
