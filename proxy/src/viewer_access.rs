//! What each viewer may see of the shared snapshot with `--auth proxy`: the API server's RBAC,
//! asked as them (see [`Reads::may_list_pods`]), remembered per identity for at most
//! [`FRESH_FOR`], so fifty viewers cost the API server a few small reads a minute, not a
//! read per refresh each.

use std::collections::HashMap;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use ktop_web_shared::api::ViewerAccess;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::make_room::make_room;
use crate::reads::{ReadError, Reads};
use crate::security::Viewer;

/// How long an answer stands: a RoleBinding granted or taken away shows within this.
pub const FRESH_FOR: Duration = Duration::from_secs(60);
/// Most identities remembered at once; the oldest answers go first.
const MAX_REMEMBERED: usize = 256;
/// Namespaces asked about at once for one viewer.
const CONCURRENT_ASKS: usize = 8;

/// A viewer as RBAC sees them.
type Who = (String, Vec<String>);

/// One identity's answer, and the namespaces it covers.
struct Answer {
    at: Instant,
    access: ViewerAccess,
    /// The namespaces asked about (sorted), when not every namespace is allowed.
    asked: Vec<String>,
}

impl Answer {
    /// Still fresh, and about every namespace in `namespaces`.
    fn covers(&self, namespaces: &[String]) -> bool {
        self.at.elapsed() < FRESH_FOR
            && (self.access.namespaces.is_none()
                || namespaces
                    .iter()
                    .all(|ns| self.asked.binary_search(ns).is_ok()))
    }
}

/// The answers for one cluster.
#[derive(Default)]
pub struct ViewerAccesses {
    answers: Mutex<HashMap<Who, Answer>>,
}

impl ViewerAccesses {
    /// What `viewer` may see when the pods are in `namespaces` (sorted), asked through
    /// `reads`, which act as them. Failures other than a refusal are errors, never an
    /// empty answer: a viewer is shown nothing rather than the wrong thing.
    pub async fn of(
        &self,
        viewer: &Viewer,
        reads: &Reads,
        namespaces: &[String],
    ) -> Result<ViewerAccess, ReadError> {
        let who: Who = (viewer.user.clone(), viewer.groups.clone());
        if let Some(answer) = self.answers.lock().await.get(&who)
            && answer.covers(namespaces)
        {
            return Ok(answer.access.clone());
        }
        // Asked outside the lock: one viewer's slow answers must not hold up the others.
        let answer = ask(reads, namespaces).await?;
        let access = answer.access.clone();
        let mut answers = self.answers.lock().await;
        answers.retain(|_, a| a.at.elapsed() < FRESH_FOR);
        make_room(&mut answers, MAX_REMEMBERED, |a| a.at);
        answers.insert(who, answer);
        Ok(access)
    }
}

async fn ask(reads: &Reads, namespaces: &[String]) -> Result<Answer, ReadError> {
    let at = Instant::now();
    let (nodes, everywhere) = tokio::try_join!(reads.may_list_nodes(), reads.may_list_pods(None))?;
    if everywhere {
        return Ok(Answer {
            at,
            access: ViewerAccess {
                nodes,
                namespaces: None,
            },
            asked: Vec::new(),
        });
    }
    // Owned values in the futures: borrowed ones make the handlers' futures fail to be
    // `Send` for every lifetime (a known limit of the compiler with streams of closures).
    let answers: Vec<Option<String>> = futures::stream::iter(namespaces.to_vec())
        .map(|ns| {
            let reads = reads.clone();
            async move { Ok::<_, ReadError>(reads.may_list_pods(Some(&ns)).await?.then_some(ns)) }
        })
        .buffer_unordered(CONCURRENT_ASKS)
        .try_collect()
        .await?;
    let mut allowed: Vec<String> = answers.into_iter().flatten().collect();
    allowed.sort();
    Ok(Answer {
        at,
        access: ViewerAccess {
            nodes,
            namespaces: Some(allowed),
        },
        asked: namespaces.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(namespaces: Option<Vec<String>>, asked: &[&str], age: Duration) -> Answer {
        Answer {
            at: Instant::now() - age,
            access: ViewerAccess {
                nodes: false,
                namespaces,
            },
            asked: asked.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[tokio::test]
    async fn an_answer_covers_what_was_asked_while_fresh() {
        let now = ["a".to_owned(), "b".to_owned()];
        let some = Some(vec!["a".to_owned()]);
        assert!(answer(some.clone(), &["a", "b"], Duration::ZERO).covers(&now));
        assert!(
            !answer(some.clone(), &["a"], Duration::ZERO).covers(&now),
            "a namespace that came since is asked about"
        );
        assert!(!answer(some, &["a", "b"], FRESH_FOR).covers(&now), "stale");
        assert!(
            answer(None, &[], Duration::ZERO).covers(&now),
            "every namespace covers new ones"
        );
    }
}
