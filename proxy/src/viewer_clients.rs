//! Kube clients that act as a viewer (`Impersonate-User`, `Impersonate-Group`), for the reads
//! made on a viewer's behalf with `--auth proxy`: the API server's RBAC decides what each
//! person may read, and its audit log names them. One pair of clients per viewer, kept while
//! in use, so a viewer's reads reuse their connections.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use kube::Config;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::kube_clients::Clients;
use crate::make_room::make_room;
use crate::security::Viewer;

/// How long a viewer's clients are kept after their last use.
const KEEP_FOR: Duration = Duration::from_secs(600);
/// Most viewers with clients at once; the least recently used go first.
const MAX_VIEWERS: usize = 256;

/// A viewer as the API server sees them: user and groups.
type Who = (String, Vec<String>);

/// Clients per viewer, made from ktop-web's own configuration.
pub struct ViewerClients {
    base: Config,
    kept: Mutex<HashMap<Who, (Arc<Clients>, Instant)>>,
}

impl ViewerClients {
    /// Clients acting as viewers through the credentials of `base`, which must be allowed to
    /// `impersonate` users and groups.
    pub fn new(base: Config) -> Self {
        Self {
            base,
            kept: Mutex::new(HashMap::new()),
        }
    }

    /// The clients acting as `viewer`, made on first use (outside the lock, so one slow
    /// credential plugin does not hold up other viewers).
    pub async fn get(&self, viewer: &Viewer) -> Result<Arc<Clients>, String> {
        let who: Who = (viewer.user.clone(), viewer.groups.clone());
        {
            let mut kept = self.kept.lock().await;
            kept.retain(|_, (_, used)| used.elapsed() < KEEP_FOR);
            if let Some((clients, used)) = kept.get_mut(&who) {
                *used = Instant::now();
                return Ok(clients.clone());
            }
        }
        let made = Arc::new(Clients::new(Clients::from_config(self.acting_as(viewer))).await?);
        let mut kept = self.kept.lock().await;
        // Another request may have made them meanwhile: keep one pair.
        if let Some((clients, used)) = kept.get_mut(&who) {
            *used = Instant::now();
            return Ok(clients.clone());
        }
        make_room(&mut kept, MAX_VIEWERS, |(_, used)| *used);
        kept.insert(who, (made.clone(), Instant::now()));
        Ok(made)
    }

    /// ktop-web's configuration, acting as `viewer`.
    fn acting_as(&self, viewer: &Viewer) -> Config {
        let mut config = self.base.clone();
        config.auth_info.impersonate = Some(viewer.user.clone());
        config.auth_info.impersonate_groups =
            (!viewer.groups.is_empty()).then(|| viewer.groups.clone());
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(user: &str, groups: &[&str]) -> Viewer {
        Viewer {
            user: user.into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            email: None,
        }
    }

    fn clients() -> ViewerClients {
        let url = "https://127.0.0.1:6443".parse().expect("url");
        ViewerClients::new(Config::new(url))
    }

    #[test]
    fn the_configuration_names_the_viewer() {
        let c = clients();
        let config = c.acting_as(&viewer("alice", &["shop-devs", "oncall"]));
        assert_eq!(config.auth_info.impersonate.as_deref(), Some("alice"));
        assert_eq!(
            config.auth_info.impersonate_groups,
            Some(vec!["shop-devs".to_owned(), "oncall".to_owned()])
        );
        let config = c.acting_as(&viewer("bob", &[]));
        assert_eq!(config.auth_info.impersonate_groups, None, "no empty group");
        assert_eq!(
            c.base.auth_info.impersonate, None,
            "ktop-web's own is untouched"
        );
    }

    #[tokio::test]
    async fn each_viewer_keeps_their_clients() {
        let c = clients();
        let alice = c.get(&viewer("alice", &["a"])).await.expect("clients");
        let again = c.get(&viewer("alice", &["a"])).await.expect("clients");
        assert!(Arc::ptr_eq(&alice, &again));
        let other_groups = c.get(&viewer("alice", &["b"])).await.expect("clients");
        assert!(
            !Arc::ptr_eq(&alice, &other_groups),
            "groups are part of who"
        );
        assert_eq!(c.kept.lock().await.len(), 2);
    }
}
