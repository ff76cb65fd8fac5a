//! View state lives in the URL query (`/pods?ns=shop&q=cart&sort=cpu&dir=desc`): reading it
//! restores a view, and every change rewrites it in place (history replace, not push).

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};

/// A change to one query parameter: `None` or an empty value removes it.
pub type ParamUpdate = (&'static str, Option<String>);

/// Applies `updates` to the current query pairs, keeping unrelated parameters (such as
/// `history`) and their order.
pub fn merge_params(
    current: impl IntoIterator<Item = (String, String)>,
    updates: &[ParamUpdate],
) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = current
        .into_iter()
        .filter(|(k, _)| updates.iter().all(|(u, _)| u != k))
        .collect();
    for (key, value) in updates {
        if let Some(value) = value.as_ref().filter(|v| !v.is_empty()) {
            pairs.push(((*key).to_owned(), value.clone()));
        }
    }
    pairs
}

/// `?k=v&…` with keys and values passed through `encode`; empty when there are no pairs.
pub fn to_search(pairs: &[(String, String)], encode: impl Fn(&str) -> String) -> String {
    let joined: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    if joined.is_empty() {
        String::new()
    } else {
        format!("?{}", joined.join("&"))
    }
}

/// Returns a function that rewrites the current URL's query with some parameters changed.
pub fn use_query_writer() -> impl Fn(Vec<ParamUpdate>) + Clone + Send + Sync + 'static {
    let query = use_query_map();
    let location = use_location();
    let navigate = use_navigate();
    move |updates: Vec<ParamUpdate>| {
        let current = query.with_untracked(|q| {
            q.latest_values()
                .map(|(k, v)| (k.to_string(), v.to_owned()))
                .collect::<Vec<_>>()
        });
        let pairs = merge_params(current, &updates);
        let search = to_search(&pairs, |s| String::from(js_sys::encode_uri_component(s)));
        let url = format!("{}{search}", location.pathname.get_untracked());
        navigate(
            &url,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn merges_keeping_other_parameters() {
        let current = pairs(&[("history", "60"), ("q", "old"), ("sort", "cpu")]);
        let merged = merge_params(
            current,
            &[
                ("q", Some("cart".into())),
                ("sort", None),
                ("ns", Some(String::new())),
                ("dir", Some("asc".into())),
            ],
        );
        assert_eq!(
            merged,
            pairs(&[("history", "60"), ("q", "cart"), ("dir", "asc")])
        );
    }

    #[test]
    fn serializes_with_encoding() {
        let encode = |s: &str| s.replace(' ', "%20");
        assert_eq!(to_search(&[], encode), "");
        assert_eq!(
            to_search(&pairs(&[("q", "a b"), ("ns", "shop")]), encode),
            "?q=a%20b&ns=shop"
        );
    }
}
