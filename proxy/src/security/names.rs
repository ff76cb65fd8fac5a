//! Kubernetes object names, checked before they go anywhere near an upstream URL: kube-rs
//! pastes names into paths as they are, so anything but the RFC 1123 grammar is refused.

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {shown:?} is not a valid Kubernetes name ({rule})")]
pub struct InvalidName {
    what: &'static str,
    shown: String,
    rule: &'static str,
}

/// An RFC 1123 label: namespaces and container names (`[a-z0-9]([-a-z0-9]*[a-z0-9])?`, ≤ 63).
pub fn label<'a>(what: &'static str, s: &'a str) -> Result<&'a str, InvalidName> {
    if is_label(s) {
        Ok(s)
    } else {
        Err(refuse(
            what,
            s,
            "lowercase letters, digits and '-', at most 63",
        ))
    }
}

/// An RFC 1123 subdomain: pod and node names (dot-separated labels, ≤ 253).
pub fn subdomain<'a>(what: &'static str, s: &'a str) -> Result<&'a str, InvalidName> {
    if !s.is_empty() && s.len() <= 253 && s.split('.').all(is_label) {
        Ok(s)
    } else {
        Err(refuse(
            what,
            s,
            "lowercase letters, digits, '-' and '.', at most 253",
        ))
    }
}

fn is_label(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.len() <= 63
        && b.first().is_some_and(alnum)
        && b.last().is_some_and(alnum)
        && b.iter().all(|c| alnum(c) || *c == b'-')
}

fn refuse(what: &'static str, s: &str, rule: &'static str) -> InvalidName {
    InvalidName {
        what,
        shown: printable(s),
        rule,
    }
}

/// A bounded, printable form of user text for an error message, so hostile input can
/// neither flood nor garble the reply.
pub fn printable(s: &str) -> String {
    s.chars()
        .take(64)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_real_names() {
        for ok in ["shop", "kube-system", "a", "x1", &"a".repeat(63)] {
            assert_eq!(label("namespace", ok), Ok(ok));
        }
        for ok in ["web-0", "kwok-node-1", "ip-10-0-0-1.ec2.internal", "a.b"] {
            assert_eq!(subdomain("pod", ok), Ok(ok));
        }
    }

    #[test]
    fn refuses_traversal_and_encodings() {
        for bad in [
            "",
            "..",
            ".",
            "a/b",
            "%2F",
            "%2e%2e",
            "%252e",
            "a\0b",
            "a\nb",
            "-a",
            "a-",
            "A",
            "a_b",
            "a b",
            "a.b",
            "ü",
            &"a".repeat(64),
        ] {
            assert!(label("namespace", bad).is_err(), "{bad:?}");
        }
        for bad in [
            "..",
            "a..b",
            ".a",
            "a.",
            "a/b",
            "a%2fb",
            "a\\b",
            &"a".repeat(254),
        ] {
            assert!(subdomain("pod", bad).is_err(), "{bad:?}");
        }
        let err = label("namespace", "a\u{1b}[2J").expect_err("refused");
        assert!(!err.to_string().contains('\u{1b}'), "{err}");
    }

    /// The reference grammar, written as differently as possible from the validator.
    fn reference_label(s: &str) -> bool {
        let re_ok = s.len() <= 63
            && s.chars().enumerate().all(|(i, c)| match c {
                'a'..='z' | '0'..='9' => true,
                '-' => i != 0 && i != s.len() - 1,
                _ => false,
            });
        !s.is_empty() && re_ok
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn label_matches_the_grammar(s in "[a-z0-9./%_\\\\\\-\\x00-\\x1f]{0,70}") {
            prop_assert_eq!(label("namespace", &s).is_ok(), reference_label(&s));
        }

        #[test]
        fn nothing_path_like_passes(s in any::<String>()) {
            for ok in [label("namespace", &s).is_ok(), subdomain("pod", &s).is_ok()] {
                if ok {
                    prop_assert!(!s.contains('/') && !s.contains('%') && !s.contains(".."));
                    prop_assert!(!s.chars().any(char::is_control));
                    prop_assert!(s != "." && !s.starts_with('.'));
                }
            }
        }

        #[test]
        fn subdomain_is_dotted_labels(parts in prop::collection::vec("[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", 1..5)) {
            let name = parts.join(".");
            prop_assert!(subdomain("pod", &name).is_ok());
            let with_slash = format!("{name}/x");
            prop_assert!(subdomain("pod", &with_slash).is_err());
        }
    }
}
