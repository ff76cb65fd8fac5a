//! Kubernetes label selectors (`app=cart,tier in (front,edge),!canary`), parsed with the
//! grammar and name rules of the API server's own parser, and matched against the labels the
//! pod watch keeps. Matching here instead of listing pods upstream keeps a selection free for
//! the cluster however many tabs refresh it.

use std::collections::BTreeSet;

use kube::core::{Expression, Selector};

use crate::security::names::printable;

/// Longest selector accepted, in bytes; real ones are a few dozen.
pub const MAX_SELECTOR_LEN: usize = 1024;

/// Why a selector was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("label selector: {0}")]
pub struct SelectorError(String);

impl SelectorError {
    /// An empty selector where one is needed.
    pub fn empty() -> SelectorError {
        refuse("empty; leave it out to see every pod")
    }
}

fn refuse(message: impl Into<String>) -> SelectorError {
    SelectorError(message.into())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    /// A key, a value or the words `in` and `notin`.
    Word(&'a str),
    Comma,
    Equals,
    DoubleEquals,
    NotEquals,
    Not,
    Open,
    Close,
    Compare,
}

fn describe(token: Option<Token<'_>>) -> String {
    match token {
        None => "the end".into(),
        Some(Token::Word(w)) => format!("{w:?}"),
        Some(Token::Comma) => "','".into(),
        Some(Token::Equals) => "'='".into(),
        Some(Token::DoubleEquals) => "'=='".into(),
        Some(Token::NotEquals) => "'!='".into(),
        Some(Token::Not) => "'!'".into(),
        Some(Token::Open) => "'('".into(),
        Some(Token::Close) => "')'".into(),
        Some(Token::Compare) => "'<' or '>'".into(),
    }
}

fn tokens(s: &str) -> Vec<Token<'_>> {
    let special = |c: char| c.is_whitespace() || ",=!()<>".contains(c);
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let (token, len) = match c {
            c if c.is_whitespace() => (None, c.len_utf8()),
            ',' => (Some(Token::Comma), 1),
            '(' => (Some(Token::Open), 1),
            ')' => (Some(Token::Close), 1),
            '<' | '>' => (Some(Token::Compare), 1),
            '=' if rest.starts_with("==") => (Some(Token::DoubleEquals), 2),
            '=' => (Some(Token::Equals), 1),
            '!' if rest.starts_with("!=") => (Some(Token::NotEquals), 2),
            '!' => (Some(Token::Not), 1),
            _ => {
                let len = rest.find(special).unwrap_or(rest.len());
                (Some(Token::Word(&rest[..len])), len)
            }
        };
        out.extend(token);
        rest = &rest[len..];
    }
    out
}

/// Parses a selector. Empty text selects every pod.
pub fn parse(text: &str) -> Result<Selector, SelectorError> {
    if text.len() > MAX_SELECTOR_LEN {
        return Err(refuse(format!("longer than {MAX_SELECTOR_LEN} bytes")));
    }
    let tokens = tokens(text);
    let mut at = 0;
    let mut expressions = Vec::new();
    if tokens.is_empty() {
        return Ok(Selector::default());
    }
    loop {
        expressions.push(requirement(&tokens, &mut at)?);
        match tokens.get(at) {
            None => break,
            Some(Token::Comma) => at += 1,
            other => {
                return Err(refuse(format!(
                    "expected ',' or the end, found {}",
                    describe(other.copied())
                )));
            }
        }
    }
    Ok(expressions.into_iter().collect())
}

fn requirement(tokens: &[Token<'_>], at: &mut usize) -> Result<Expression, SelectorError> {
    let mut next = || {
        let t = tokens.get(*at).copied();
        *at += 1;
        t
    };
    let first = next();
    if first == Some(Token::Not) {
        return match next() {
            Some(Token::Word(key)) => Ok(Expression::DoesNotExist(checked_key(key)?)),
            other => Err(refuse(format!(
                "expected a key after '!', found {}",
                describe(other)
            ))),
        };
    }
    let key = match first {
        Some(Token::Word(key)) => checked_key(key)?,
        other => {
            return Err(refuse(format!("expected a key, found {}", describe(other))));
        }
    };
    let operator = tokens.get(*at).copied();
    let single = |at: &mut usize| -> Result<String, SelectorError> {
        // A missing value (`key=` then ',' or the end) is the empty value.
        match tokens.get(*at).copied() {
            Some(Token::Word(v)) => {
                *at += 1;
                checked_value(v)
            }
            None | Some(Token::Comma) => Ok(String::new()),
            other => Err(refuse(format!(
                "expected a value, found {}",
                describe(other)
            ))),
        }
    };
    match operator {
        None | Some(Token::Comma) => Ok(Expression::Exists(key)),
        Some(Token::Equals | Token::DoubleEquals) => {
            *at += 1;
            Ok(Expression::Equal(key, single(at)?))
        }
        Some(Token::NotEquals) => {
            *at += 1;
            Ok(Expression::NotEqual(key, single(at)?))
        }
        Some(Token::Word("in")) => {
            *at += 1;
            Ok(Expression::In(key, set(tokens, at)?))
        }
        Some(Token::Word("notin")) => {
            *at += 1;
            Ok(Expression::NotIn(key, set(tokens, at)?))
        }
        Some(Token::Compare) => Err(refuse(
            "'<' and '>' compare node labels only; pods take =, ==, !=, in, notin and !",
        )),
        other => Err(refuse(format!(
            "expected an operator (=, ==, !=, in, notin) after {key:?}, found {}",
            describe(other)
        ))),
    }
}

/// `(a, b, c)` after `in` or `notin`; at least one value.
fn set(tokens: &[Token<'_>], at: &mut usize) -> Result<BTreeSet<String>, SelectorError> {
    if tokens.get(*at) != Some(&Token::Open) {
        return Err(refuse(format!(
            "expected '(' after in or notin, found {}",
            describe(tokens.get(*at).copied())
        )));
    }
    *at += 1;
    let mut values = BTreeSet::new();
    loop {
        // An empty slot (`(a,,b)` or `(a,)`) is the empty value, as Kubernetes reads it.
        match tokens.get(*at).copied() {
            Some(Token::Word(v)) => {
                values.insert(checked_value(v)?);
                *at += 1;
            }
            Some(Token::Comma | Token::Close) => {
                values.insert(String::new());
            }
            other => {
                return Err(refuse(format!(
                    "expected a value in the set, found {}",
                    describe(other)
                )));
            }
        }
        match tokens.get(*at).copied() {
            Some(Token::Comma) => *at += 1,
            Some(Token::Close) => {
                *at += 1;
                return Ok(values);
            }
            other => {
                return Err(refuse(format!(
                    "expected ',' or ')' in the set, found {}",
                    describe(other)
                )));
            }
        }
    }
}

/// A label name: 1–63 characters, alphanumeric at both ends, `-`, `_` and `.` inside.
fn is_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// A label key: a name with an optional DNS subdomain prefix (`example.com/tier`).
fn checked_key(key: &str) -> Result<String, SelectorError> {
    let valid = match key.split_once('/') {
        Some((prefix, name)) => {
            crate::security::names::subdomain("prefix", prefix).is_ok() && is_name(name)
        }
        None => is_name(key),
    };
    match valid {
        true => Ok(key.to_owned()),
        false => Err(refuse(format!(
            "{:?} is not a valid label key (an optional DNS prefix and '/', then up to 63 letters, digits, '-', '_' or '.', alphanumeric at both ends)",
            printable(key)
        ))),
    }
}

fn checked_value(value: &str) -> Result<String, SelectorError> {
    match value.is_empty() || is_name(value) {
        true => Ok(value.to_owned()),
        false => Err(refuse(format!(
            "{:?} is not a valid label value (up to 63 letters, digits, '-', '_' or '.', alphanumeric at both ends)",
            printable(value)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::SelectorExt;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn selects(selector: &str, pairs: &[(&str, &str)]) -> bool {
        parse(selector)
            .unwrap_or_else(|e| panic!("{selector}: {e}"))
            .matches(&labels(pairs))
    }

    #[test]
    fn every_operator() {
        let cart = [("app", "cart"), ("tier", "front")];
        assert!(selects("app=cart", &cart));
        assert!(selects("app == cart", &cart));
        assert!(!selects("app!=cart", &cart));
        assert!(selects("app!=web", &cart));
        assert!(selects("app in (web, cart)", &cart));
        assert!(!selects("app notin (web,cart)", &cart));
        assert!(selects("tier", &cart));
        assert!(!selects("!tier", &cart));
        assert!(selects("!canary", &cart));
        assert!(selects("app=cart, tier=front", &cart));
        assert!(!selects("app=cart,tier=back", &cart));
        assert!(selects("  ", &cart), "empty selects all");
        assert!(selects("release=", &[("release", "")]), "empty value");
        assert!(selects("release notin (a,)", &[("release", "b")]));
        assert!(!selects("release notin (a,)", &[("release", "")]));
        assert!(selects(
            "example.com/tier=front",
            &[("example.com/tier", "front")]
        ));
        assert!(selects("Ver=V1.2_b", &[("Ver", "V1.2_b")]));
    }

    #[test]
    fn malformed_selectors_say_why() {
        for (selector, says) in [
            ("app===cart", "expected a value"),
            ("app=cart,", "expected a key"),
            (",app", "expected a key"),
            ("app in cart", "expected '('"),
            ("app in (cart", "expected ',' or ')'"),
            ("app cart", "expected an operator"),
            ("app=cart tier=front", "expected ',' or the end"),
            ("!", "expected a key after '!'"),
            ("replicas>2", "compare node labels only"),
            ("-app=cart", "not a valid label key"),
            ("app=-cart", "not a valid label value"),
            ("Example.com/x=y", "not a valid label key"),
            ("app=cart/x", "not a valid label value"),
        ] {
            let error = parse(selector).expect_err(selector).to_string();
            assert!(error.contains(says), "{selector}: {error}");
        }
        let long = format!("app in ({})", "a,".repeat(600));
        assert!(parse(&long).is_err(), "overlong");
    }

    fn name() -> impl Strategy<Value = String> + Clone {
        "[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,10}[a-zA-Z0-9])?"
    }

    fn key() -> impl Strategy<Value = String> {
        (prop::option::of("[a-z0-9]{1,8}(\\.[a-z0-9]{1,8})?"), name())
            .prop_map(|(prefix, name)| prefix.map_or(name.clone(), |p| format!("{p}/{name}")))
    }

    fn expression() -> impl Strategy<Value = Expression> {
        let values = prop::collection::btree_set(name(), 1..4);
        prop_oneof![
            (key(), name()).prop_map(|(k, v)| Expression::Equal(k, v)),
            (key(), name()).prop_map(|(k, v)| Expression::NotEqual(k, v)),
            (key(), values.clone()).prop_map(|(k, v)| Expression::In(k, v)),
            (key(), values).prop_map(|(k, v)| Expression::NotIn(k, v)),
            key().prop_map(Expression::Exists),
            key().prop_map(Expression::DoesNotExist),
        ]
    }

    proptest! {
        #[test]
        fn kubes_own_rendering_parses_back(exprs in prop::collection::vec(expression(), 1..5)) {
            let selector: Selector = exprs.into_iter().collect();
            let text = selector.to_string();
            prop_assert_eq!(parse(&text), Ok(selector), "{}", text);
        }

        #[test]
        fn never_panics(text in "[a-z=!(),<> .\\-_/in]{0,40}") {
            let _ = parse(&text);
        }
    }
}
