//! The Host allowlist: defeats DNS rebinding, where a hostile page's own name resolves to
//! 127.0.0.1 and its scripts then talk to this server as "same origin".

use std::net::IpAddr;

use axum::http::{HeaderMap, Uri, header};

/// `host:port` values a request may name.
#[derive(Debug, Clone)]
pub struct HostAllowlist {
    allowed: Vec<String>,
}

impl HostAllowlist {
    /// Loopback names with the listening port, the bound address if it is a specific one,
    /// and the `--allowed-host` names (`name:port` as given; `name` alone with the listening
    /// port or none).
    pub fn new(port: u16, bound: IpAddr, extra: &[String]) -> Self {
        let mut allowed: Vec<String> = ["localhost", "127.0.0.1", "[::1]"]
            .iter()
            .map(|h| format!("{h}:{port}"))
            .collect();
        // A specific address the user chose to bind (say 10.0.0.5 or 127.0.0.2) is a name
        // clients will use; 0.0.0.0 and :: are not.
        if !bound.is_unspecified() {
            allowed.push(match bound {
                IpAddr::V4(ip) => format!("{ip}:{port}"),
                IpAddr::V6(ip) => format!("[{ip}]:{port}"),
            });
        }
        for name in extra {
            let name = name.to_ascii_lowercase();
            let has_port = name
                .rsplit_once(':')
                .is_some_and(|(h, _)| !h.starts_with('[') || h.ends_with(']'));
            if !has_port {
                // A name without a port is also asked for without one: a browser at
                // https://ktop.example.com behind a proxy sends the bare name.
                allowed.push(format!("{name}:{port}"));
            }
            allowed.push(name);
        }
        Self { allowed }
    }

    /// Exactly one Host header, naming an allowed `host:port`; an absolute-form request
    /// target must name one too.
    pub fn permits(&self, headers: &HeaderMap, uri: &Uri) -> bool {
        let mut hosts = headers.get_all(header::HOST).iter();
        let (Some(host), None) = (hosts.next(), hosts.next()) else {
            return false;
        };
        let Ok(host) = host.to_str() else {
            return false;
        };
        self.is_allowed(host) && uri.authority().is_none_or(|a| self.is_allowed(a.as_str()))
    }

    fn is_allowed(&self, host: &str) -> bool {
        self.allowed.iter().any(|a| a.eq_ignore_ascii_case(host))
    }
}

/// Checks an `--allowed-host` value: a DNS name, IPv4 or bracketed IPv6, optional `:port`.
pub fn parse_allowed_host(s: &str) -> Result<String, String> {
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && (!h.starts_with('[') || h.ends_with(']')) => (h, Some(p)),
        _ => (s, None),
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p != 0));
    let host_ok = if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        inner.parse::<std::net::Ipv6Addr>().is_ok()
    } else {
        !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            })
    };
    if port_ok && host_ok && host != "0.0.0.0" {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(format!(
            "{s:?} is not a host name: use a DNS name or IP, optionally with :port (e.g. ktop.internal or ktop.internal:443)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(hosts: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in hosts {
            h.append(
                header::HOST,
                HeaderValue::from_str(v).expect("header value"),
            );
        }
        h
    }

    fn list() -> HostAllowlist {
        HostAllowlist::new(
            7301,
            "127.0.0.1".parse().expect("ip"),
            &["ktop.internal".into(), "proxy.corp:443".into()],
        )
    }

    #[test]
    fn loopback_names_with_the_port_pass() {
        let uri = Uri::from_static("/");
        for ok in [
            "localhost:7301",
            "127.0.0.1:7301",
            "[::1]:7301",
            "LOCALHOST:7301",
            "ktop.internal:7301",
            "ktop.internal",
            "proxy.corp:443",
        ] {
            assert!(list().permits(&headers(&[ok]), &uri), "{ok}");
        }
    }

    #[test]
    fn everything_else_is_refused() {
        let uri = Uri::from_static("/");
        for bad in [
            "localhost",
            "localhost:80",
            "localhost.evil.com:7301",
            "127.0.0.2:7301",
            "0.0.0.0:7301",
            "user@localhost:7301",
            "[::1]x:7301",
            "[::1]:7301x",
            "evil.com:7301",
            "127.0.0.1:7301.evil.com",
            "ktop.internal:443",
            "proxy.corp",
            "",
        ] {
            assert!(!list().permits(&headers(&[bad]), &uri), "{bad:?}");
        }
        assert!(!list().permits(&headers(&[]), &uri), "missing Host");
        assert!(
            !list().permits(&headers(&["localhost:7301", "localhost:7301"]), &uri),
            "duplicate Host"
        );
        let absolute = Uri::from_static("http://evil.com/api/v1/contexts");
        assert!(
            !list().permits(&headers(&["localhost:7301"]), &absolute),
            "absolute-form target"
        );
    }

    #[test]
    fn a_specific_bound_address_is_allowed() {
        let l = HostAllowlist::new(8080, "10.1.2.3".parse().expect("ip"), &[]);
        assert!(l.permits(&headers(&["10.1.2.3:8080"]), &Uri::from_static("/")));
        let l = HostAllowlist::new(8080, "0.0.0.0".parse().expect("ip"), &[]);
        assert!(!l.permits(&headers(&["0.0.0.0:8080"]), &Uri::from_static("/")));
        assert!(l.permits(&headers(&["localhost:8080"]), &Uri::from_static("/")));
        let l = HostAllowlist::new(8080, "::1".parse().expect("ip"), &[]);
        assert!(l.permits(&headers(&["[::1]:8080"]), &Uri::from_static("/")));
    }

    #[test]
    fn allowed_host_flag_values() {
        for ok in [
            "ktop.internal",
            "ktop.internal:443",
            "10.0.0.1",
            "[fd00::1]:8443",
            "Host-1.Example",
        ] {
            assert!(parse_allowed_host(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "*",
            "*.example.com",
            "http://x",
            "x:0",
            "x:99999",
            "a/b",
            "0.0.0.0",
            "[zz]",
            "-a.b",
        ] {
            assert!(parse_allowed_host(bad).is_err(), "{bad}");
        }
    }
}
