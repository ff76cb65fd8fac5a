//! `--history-source`: a Prometheus-compatible query API by URL, or a service reached through
//! the API server's service proxy. Checked whole at startup, so no request can steer where
//! history is read from.

use std::fmt;

use reqwest::Url;

use crate::security::names;

/// Where history is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistorySource {
    /// An address ktop-web reaches itself: Prometheus, Thanos Querier, Mimir (with its
    /// `/prometheus` prefix) or VictoriaMetrics; `/api/v1/query_range` is appended.
    Url(Url),
    /// A service in the cluster, reached through the API server with the viewer's
    /// credentials.
    Service(ServiceRef),
}

/// `service:NAMESPACE/NAME:PORT[/PATH]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceRef {
    /// The service's namespace.
    pub namespace: String,
    /// The service's name.
    pub name: String,
    /// Its port, by number or by name.
    pub port: String,
    /// A prefix the API lives under (`/prometheus` for Mimir); empty or starting with `/`.
    pub path: String,
}

impl ServiceRef {
    /// The API server path of `api` (`/api/v1/query_range`) on this service, through its
    /// service proxy.
    pub fn proxy_path(&self, api: &str) -> String {
        format!(
            "/api/v1/namespaces/{}/services/{}:{}/proxy{}{api}",
            self.namespace, self.name, self.port, self.path
        )
    }
}

impl fmt::Display for ServiceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "service:{}/{}:{}{}",
            self.namespace, self.name, self.port, self.path
        )
    }
}

impl fmt::Display for HistorySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistorySource::Url(url) => f.write_str(url.as_str().trim_end_matches('/')),
            HistorySource::Service(service) => service.fmt(f),
        }
    }
}

/// Parses the flag's value (clap calls this, so a bad value exits with code 2).
pub fn parse_history_source(text: &str) -> Result<HistorySource, String> {
    if let Some(rest) = text.strip_prefix("service:") {
        return parse_service(rest).map(HistorySource::Service);
    }
    let url = Url::parse(text).map_err(|e| {
        format!("{text:?} is neither a URL ({e}) nor service:NAMESPACE/NAME:PORT[/PATH]")
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!(
            "{text:?}: the URL must be http:// or https:// with a host"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        let mut shown = url.clone();
        // Neither can fail on an http(s) URL with a host, checked above.
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        return Err(format!(
            "{shown}: credentials in the URL would show in logs and the page; reach the source through the service proxy instead (service:NAMESPACE/NAME:PORT)"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{text:?}: the URL takes no query or fragment"));
    }
    // The text as written: the parser would already have resolved a `..`.
    let after_scheme = text.split_once("://").map_or(text, |(_, rest)| rest);
    check_path(after_scheme.find('/').map_or("", |i| &after_scheme[i..]))?;
    Ok(HistorySource::Url(url))
}

fn parse_service(rest: &str) -> Result<ServiceRef, String> {
    let usage = || {
        format!(
            "service:{}: expected service:NAMESPACE/NAME:PORT[/PATH], e.g. service:monitoring/prometheus-operated:9090",
            names::printable(rest)
        )
    };
    let (namespace, rest) = rest.split_once('/').ok_or_else(usage)?;
    let (name, rest) = rest.split_once(':').ok_or_else(usage)?;
    let (port, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    names::label("namespace", namespace).map_err(|e| e.to_string())?;
    names::label("service", name).map_err(|e| e.to_string())?;
    let numbered = port.parse::<u16>().is_ok_and(|p| p > 0);
    // A port name is an IANA service name: at most 15 lowercase letters, digits and '-'.
    let named = port.len() <= 15
        && names::label("port", port).is_ok()
        && port.bytes().any(|b| b.is_ascii_lowercase());
    if !numbered && !named {
        return Err(format!(
            "service:{}: the port must be a number or a port name",
            names::printable(rest)
        ));
    }
    check_path(path)?;
    Ok(ServiceRef {
        namespace: namespace.to_owned(),
        name: name.to_owned(),
        port: port.to_owned(),
        path: path.trim_end_matches('/').to_owned(),
    })
}

/// A prefix made of plain path segments: no `..`, `.`, empty segments or escapes, so it
/// cannot climb out of the service or the source.
fn check_path(path: &str) -> Result<(), String> {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(());
    }
    let plain = trimmed.starts_with('/')
        && trimmed[1..].split('/').all(|segment| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
        });
    if plain {
        Ok(())
    } else {
        Err(format!(
            "{}: the path prefix may hold only plain segments (letters, digits, '-', '_', '.', '~'), no '..'",
            names::printable(path)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_services_parse() {
        let source = parse_history_source("http://prometheus.monitoring:9090").expect("a URL");
        assert_eq!(source.to_string(), "http://prometheus.monitoring:9090");
        let source = parse_history_source("https://mimir.example.com/prometheus/").expect("a URL");
        assert_eq!(source.to_string(), "https://mimir.example.com/prometheus");
        let HistorySource::Service(service) =
            parse_history_source("service:monitoring/prometheus-operated:9090").expect("parses")
        else {
            panic!("a service");
        };
        assert_eq!(
            service.proxy_path("/api/v1/query_range"),
            "/api/v1/namespaces/monitoring/services/prometheus-operated:9090/proxy/api/v1/query_range"
        );
        let source =
            parse_history_source("service:mimir/mimir-query-frontend:http-metrics/prometheus/")
                .expect("a named port and a prefix");
        assert_eq!(
            source.to_string(),
            "service:mimir/mimir-query-frontend:http-metrics/prometheus"
        );
    }

    #[test]
    fn anything_else_is_refused_with_the_form_it_takes() {
        for bad in [
            "",
            "prometheus:9090",
            "ftp://prometheus/",
            "http://user:secret@prometheus:9090",
            "http://prometheus:9090/?x=1",
            "http://prometheus:9090/a/../b",
            "http://prometheus:9090/a/%2e%2e/b",
            "service:monitoring/prometheus",
            "service:monitoring/prometheus:0",
            "service:monitoring/prometheus:70000",
            "service:Monitoring/prometheus:9090",
            "service:monitoring/prom.etheus:9090",
            "service:monitoring/prometheus:9090/../../secrets",
            "service:monitoring/prometheus:9090/a/./b",
            "service:monitoring/prometheus:9090/a%2fb",
            "service:monitoring/prometheus:a-very-long-port-name",
            "service:../kube-system/x:1",
        ] {
            let err = parse_history_source(bad).expect_err(bad);
            assert!(!err.is_empty(), "{bad}");
            assert!(!err.contains(":secret@"), "{err}");
        }
    }
}
