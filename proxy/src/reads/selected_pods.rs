//! Pods by label selector: the query the endpoint takes and the keys it returns. The API
//! server parses and applies the selector, so its rules are exactly Kubernetes' own.

use k8s_openapi::api::core::v1::Pod;
use ktop_web_shared::api::SelectedPods;
use kube::core::{ObjectList, PartialObjectMeta};
use serde::Deserialize;

use super::ReadError;

/// Longest selector accepted; real ones are a few dozen characters.
pub const MAX_SELECTOR_LEN: usize = 1024;

/// `?selector=app%3Dcart`; anything else is refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectorQuery {
    /// A label selector, e.g. `app=cart,tier notin (db)`.
    pub selector: String,
}

impl SelectorQuery {
    /// The selector, trimmed; empty (every pod) or overlong ones are refused before any
    /// request is made.
    pub fn selector(&self) -> Result<&str, ReadError> {
        let selector = self.selector.trim();
        if selector.is_empty() {
            return Err(ReadError::BadRequest(
                "the label selector is empty; leave it out to see every pod".into(),
            ));
        }
        if selector.len() > MAX_SELECTOR_LEN {
            return Err(ReadError::BadRequest(format!(
                "the label selector is longer than {MAX_SELECTOR_LEN} characters"
            )));
        }
        Ok(selector)
    }
}

/// The listed pods' keys, sorted.
pub fn selected_pods(selector: &str, list: ObjectList<PartialObjectMeta<Pod>>) -> SelectedPods {
    let mut pods: Vec<String> = list
        .items
        .into_iter()
        .filter_map(|p| Some(format!("{}/{}", p.metadata.namespace?, p.metadata.name?)))
        .collect();
    pods.sort();
    SelectedPods {
        selector: selector.to_owned(),
        pods,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(s: &str) -> SelectorQuery {
        SelectorQuery {
            selector: s.to_owned(),
        }
    }

    #[test]
    fn selectors_are_trimmed_and_bounded() {
        assert_eq!(query(" app=cart ").selector().ok(), Some("app=cart"));
        assert!(matches!(
            query("  ").selector(),
            Err(ReadError::BadRequest(m)) if m.contains("empty")
        ));
        let long = "a".repeat(MAX_SELECTOR_LEN + 1);
        assert!(matches!(
            query(&long).selector(),
            Err(ReadError::BadRequest(m)) if m.contains("longer")
        ));
    }

    #[test]
    fn keys_are_sorted_and_complete() {
        let list: ObjectList<PartialObjectMeta<Pod>> = serde_json::from_value(serde_json::json!({
            "metadata": {},
            "items": [
                {"metadata": {"namespace": "shop", "name": "web-0"}},
                {"metadata": {"namespace": "ops", "name": "cart-9"}},
                {"metadata": {"name": "no-namespace"}},
            ]
        }))
        .expect("list");
        let selected = selected_pods("app", list);
        assert_eq!(selected.selector, "app");
        assert_eq!(selected.pods, ["ops/cart-9", "shop/web-0"]);
    }
}
