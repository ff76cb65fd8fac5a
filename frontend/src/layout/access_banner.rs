//! `#access`: with `--auth proxy`, what the signed-in viewer's own RBAC lets them see, so a
//! table with few rows, or none, is explained rather than mistaken for an empty cluster.

use ktop_web_shared::api::ViewerAccess;
use leptos::prelude::*;

use crate::state::use_app_state;

/// The note, when the viewer may not see everything.
#[component]
pub fn AccessBanner() -> impl IntoView {
    let state = use_app_state();
    // Not a memo: one more memo type costs the wasm budget more than this costs a refresh.
    let shown = move || {
        state
            .data
            .with(|d| d.as_ref()?.viewer.as_ref().and_then(note))
    };
    move || {
        shown().map(|(nothing, text)| {
            view! {
                <section id="access" class="banner banner-access" role="status" data-nothing=nothing>
                    <strong class="message">{text}</strong>
                    " "
                    <span class="hint">
                        "ktop-web shows each person what their own Kubernetes RBAC lets them list. A cluster admin can grant more with a RoleBinding (pods) or a ClusterRoleBinding (nodes)."
                    </span>
                </section>
            }
        })
    }
}

/// Whether the viewer sees nothing, and what to say; `None` when they see everything.
fn note(a: &ViewerAccess) -> Option<(bool, String)> {
    if a.sees_nothing() {
        return Some((
            true,
            "Your account may not list pods or nodes in this cluster.".to_owned(),
        ));
    }
    let pods = match a.namespaces.as_deref() {
        None => "pods in every namespace".to_owned(),
        Some([]) => "no pods".to_owned(),
        Some(namespaces) => format!("pods in {}", namespaces.join(", ")),
    };
    match (a.nodes, a.namespaces.is_some()) {
        (true, false) => None,
        (true, true) => Some((false, format!("Your access shows {pods} and the nodes."))),
        (false, _) => Some((false, format!("Your access shows {pods}; not the nodes."))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(nodes: bool, namespaces: Option<&[&str]>) -> ViewerAccess {
        ViewerAccess {
            nodes,
            namespaces: namespaces.map(|n| n.iter().map(|s| (*s).to_owned()).collect()),
        }
    }

    #[test]
    fn says_what_a_viewer_sees() {
        assert_eq!(note(&access(true, None)), None);
        assert_eq!(
            note(&access(false, Some(&["shop", "web"]))),
            Some((
                false,
                "Your access shows pods in shop, web; not the nodes.".into()
            ))
        );
        assert_eq!(
            note(&access(true, Some(&[]))),
            Some((false, "Your access shows no pods and the nodes.".into()))
        );
        assert!(note(&access(false, Some(&[]))).is_some_and(|(nothing, _)| nothing));
    }
}
