//! The Prometheus text exposition format, one line at a time, as the kubelet serves it on
//! `/metrics/resource` and `/metrics/cadvisor`. Line by line so a large cadvisor body is
//! never held whole, and a malformed line costs that line only, not the scrape.
//!
//! Own code rather than a crate: the maintained candidates either split label values on
//! `,` and `=` (cadvisor's `id` and `image` values contain both) or fail a whole scrape on
//! one bad family.

use std::borrow::Cow;

/// One sample: `name{label="value",…} value [timestamp_ms]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample<'a> {
    /// Metric name.
    pub name: &'a str,
    /// Labels in the order written, values unescaped.
    pub labels: Vec<(&'a str, Cow<'a, str>)>,
    /// The value (`NaN` and `±Inf` included).
    pub value: f64,
    /// Milliseconds since the epoch, when the exporter gave one (the kubelet does).
    pub timestamp_ms: Option<i64>,
}

impl Sample<'_> {
    /// A label's value; absent and empty are the same thing in Prometheus.
    pub fn label(&self, name: &str) -> &str {
        self.labels
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v)
    }
}

/// Why a line is not a sample.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected} at column {column}")]
pub struct LineError {
    expected: &'static str,
    column: usize,
}

/// The metric name a sample line starts with, without parsing the rest: callers skip the
/// many series they do not use for the price of this. `None` for comments and blank lines.
pub fn metric_name(line: &str) -> Option<&str> {
    let line = line.trim_start();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let end = line
        .find(|c: char| c == '{' || c.is_ascii_whitespace())
        .unwrap_or(line.len());
    Some(&line[..end])
}

/// Parses one line. `Ok(None)` for comments (`# HELP`, `# TYPE`, …) and blank lines.
pub fn parse_line(line: &str) -> Result<Option<Sample<'_>>, LineError> {
    let Some(name) = metric_name(line) else {
        return Ok(None);
    };
    let mut r = Cursor {
        text: line,
        at: line.len() - line.trim_start().len() + name.len(),
    };
    if !valid_name(name) {
        return Err(r.error("a metric name"));
    }
    let labels = if r.eat('{') { r.labels()? } else { Vec::new() };
    r.skip_blanks();
    let value_text = r.word();
    let value = parse_value(value_text).ok_or_else(|| r.error("a value"))?;
    r.skip_blanks();
    let timestamp_ms = match r.word() {
        "" => None,
        ts => Some(ts.parse::<i64>().map_err(|_| r.error("a timestamp"))?),
    };
    r.skip_blanks();
    if r.at != line.len() {
        return Err(r.error("the end of the line"));
    }
    Ok(Some(Sample {
        name,
        labels,
        value,
        timestamp_ms,
    }))
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Go's float text: decimals, exponents, `NaN`, `+Inf`, `-Inf`.
fn parse_value(text: &str) -> Option<f64> {
    match text {
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ if text
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b)) =>
        {
            text.parse().ok()
        }
        _ => None,
    }
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn error(&self, expected: &'static str) -> LineError {
        LineError {
            expected,
            column: self.at + 1,
        }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.rest().starts_with(c);
        if found {
            self.at += c.len_utf8();
        }
        found
    }

    fn skip_blanks(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start_matches([' ', '\t']).len();
    }

    /// Up to the next blank or the end.
    fn word(&mut self) -> &'a str {
        let rest = self.rest();
        let len = rest.find([' ', '\t']).unwrap_or(rest.len());
        self.at += len;
        &rest[..len]
    }

    /// `name="value",…}` after the opening brace; a trailing comma is allowed.
    fn labels(&mut self) -> Result<Vec<(&'a str, Cow<'a, str>)>, LineError> {
        let mut labels = Vec::new();
        loop {
            self.skip_blanks();
            if self.eat('}') {
                return Ok(labels);
            }
            let rest = self.rest();
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let name = &rest[..len];
            if !valid_name(name) || name.contains(':') {
                return Err(self.error("a label name"));
            }
            self.at += len;
            self.skip_blanks();
            if !self.eat('=') {
                return Err(self.error("'='"));
            }
            self.skip_blanks();
            if !self.eat('"') {
                return Err(self.error("'\"'"));
            }
            labels.push((name, self.quoted()?));
            self.skip_blanks();
            if !self.eat(',') {
                self.skip_blanks();
                if self.eat('}') {
                    return Ok(labels);
                }
                return Err(self.error("',' or '}'"));
            }
        }
    }

    /// A label value after its opening quote, with `\\`, `\"` and `\n` unescaped.
    fn quoted(&mut self) -> Result<Cow<'a, str>, LineError> {
        let rest = self.rest();
        let Some(end) = rest.find(['"', '\\']) else {
            return Err(self.error("'\"'"));
        };
        if rest.as_bytes()[end] == b'"' {
            self.at += end + 1;
            return Ok(Cow::Borrowed(&rest[..end]));
        }
        // Grown as needed: reserving the rest of the line for every escaped value would be
        // quadratic on a line of many such labels.
        let mut value = String::new();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.at += i + 1;
                    return Ok(Cow::Owned(value));
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, c @ ('\\' | '"'))) => value.push(c),
                    Some((_, c)) => {
                        value.push('\\');
                        value.push(c);
                    }
                    None => break,
                },
                c => value.push(c),
            }
        }
        self.at = self.text.len();
        Err(self.error("'\"'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(line: &str) -> Sample<'_> {
        parse_line(line)
            .unwrap_or_else(|e| panic!("{line}: {e}"))
            .unwrap_or_else(|| panic!("{line}: not a sample"))
    }

    #[test]
    fn kubelet_resource_lines() {
        let s = sample(
            r#"container_cpu_usage_seconds_total{container="app",namespace="shop",pod="cart-0"} 10.25 1624396278302"#,
        );
        assert_eq!(s.name, "container_cpu_usage_seconds_total");
        assert_eq!(s.label("container"), "app");
        assert_eq!(s.label("namespace"), "shop");
        assert_eq!(s.label("pod"), "cart-0");
        assert_eq!(s.label("absent"), "");
        assert_eq!(s.value, 10.25);
        assert_eq!(s.timestamp_ms, Some(1_624_396_278_302));
        let s = sample("node_memory_working_set_bytes 1.073741824e+09");
        assert!(s.labels.is_empty());
        assert_eq!(s.value, 1_073_741_824.0);
        assert_eq!(s.timestamp_ms, None);
    }

    #[test]
    fn cadvisor_values_with_commas_equals_slashes_and_escapes() {
        let s = sample(
            r#"container_network_receive_bytes_total{container="",id="/kubepods/burstable/pod1a/c0",image="registry.example/pause:3.9@sha256:ab=,cd",interface="eth0",name="x\"y\\z\nw",namespace="shop",pod="cart-0",} 1.2898191e+07 1695160356349"#,
        );
        assert_eq!(s.label("id"), "/kubepods/burstable/pod1a/c0");
        assert_eq!(s.label("image"), "registry.example/pause:3.9@sha256:ab=,cd");
        assert_eq!(s.label("name"), "x\"y\\z\nw");
        assert_eq!(s.label("container"), "");
        assert_eq!(s.value, 12_898_191.0);
    }

    #[test]
    fn specials_comments_and_blanks() {
        assert_eq!(parse_line("# HELP x The x."), Ok(None));
        assert_eq!(parse_line("# TYPE x counter"), Ok(None));
        assert_eq!(parse_line("   "), Ok(None));
        assert!(sample("x NaN").value.is_nan());
        assert_eq!(sample("x +Inf").value, f64::INFINITY);
        assert_eq!(sample("x -Inf").value, f64::NEG_INFINITY);
        assert_eq!(sample("x{a=\"1\"}\t2\t3").timestamp_ms, Some(3));
    }

    #[test]
    fn malformed_lines_are_errors_not_panics() {
        for bad in [
            "x",
            "x{",
            "x{a=\"1\"",
            "x{a=1} 2",
            "x{a=\"1\" b=\"2\"} 3",
            "x{a=\"1\\\"} 2",
            "x{1a=\"1\"} 2",
            "x 1 2 3",
            "x one",
            "x 1 soon",
            "9x 1",
            "x{a:b=\"1\"} 2",
        ] {
            assert!(parse_line(bad).is_err(), "{bad:?} should be refused");
        }
        let err = parse_line("x{a=1} 2").expect_err("unquoted");
        assert_eq!(err.to_string(), "expected '\"' at column 5");
    }

    #[test]
    fn names_without_parsing() {
        assert_eq!(metric_name("x_total{a=\"1\"} 2"), Some("x_total"));
        assert_eq!(metric_name("  up 1"), Some("up"));
        assert_eq!(metric_name("# HELP up"), None);
        assert_eq!(metric_name(""), None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(line in "[a-z_{}=\",\\\\ .0-9eE+-]{0,40}") {
            let _ = parse_line(&line);
        }

        #[test]
        fn label_values_round_trip(value in "\\PC{0,20}") {
            let escaped = value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
            let line = format!("m{{v=\"{escaped}\"}} 1");
            let s = parse_line(&line).expect("valid").expect("a sample");
            proptest::prop_assert_eq!(s.label("v"), value.as_str());
        }
    }
}
