//! One scrape of every node: at most [`CONCURRENCY`] nodes at a time, each within
//! [`NODE_TIMEOUT`], each body read line by line into a [`NodeScrape`] and never held whole.

use std::time::Duration;

use futures::{AsyncBufReadExt, AsyncReadExt, Stream, StreamExt, TryStreamExt};

use super::Components;
use super::node_scrape::NodeScrape;
use super::scrape_paths::ScrapePaths;
use crate::kube_clients::Clients;
use crate::source::SourceError;

/// Nodes scraped at once: enough to hide kubelet latency, few enough that 1,000 nodes do not
/// open 1,000 streams through the API server at the same moment.
pub const CONCURRENCY: usize = 32;

/// Longest one node's endpoints may take together; a slow node is left out of this scrape.
pub const NODE_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest body read from one endpoint. A busy node's cadvisor page is a few megabytes; this
/// bounds what a misbehaving one can make us read.
const MAX_BODY: u64 = 64 << 20;

/// A node to scrape, or why it cannot be.
pub type Target = (String, Result<ScrapePaths, SourceError>);

/// What one node gave.
#[derive(Debug)]
pub struct NodeResult {
    /// The node.
    pub node: String,
    /// When its first endpoint answered (Unix milliseconds); the time of its counters when the
    /// kubelet sends none.
    pub at_ms: i64,
    /// Its series, or why not.
    pub scrape: Result<NodeScrape, SourceError>,
}

/// Scrapes `targets`, yielding each node as it finishes (in no particular order).
pub fn scrape_all<'a>(
    clients: &'a Clients,
    targets: Vec<Target>,
    components: Components,
) -> impl Stream<Item = NodeResult> + 'a {
    futures::stream::iter(targets)
        .map(move |(node, paths)| async move {
            let at_ms = crate::clock::unix_ms();
            let scrape = match paths {
                Ok(paths) => {
                    tokio::time::timeout(NODE_TIMEOUT, scrape_node(clients, &paths, components))
                        .await
                        .unwrap_or(Err(SourceError::Timeout(NODE_TIMEOUT.as_secs())))
                }
                Err(e) => Err(e),
            };
            NodeResult {
                node,
                at_ms,
                scrape,
            }
        })
        .buffer_unordered(CONCURRENCY)
}

/// Reads the chosen endpoints of one node.
pub async fn scrape_node(
    clients: &Clients,
    paths: &ScrapePaths,
    components: Components,
) -> Result<NodeScrape, SourceError> {
    let mut scrape = NodeScrape::default();
    if components.kubelet {
        read_into(clients, &paths.resource, &mut scrape).await?;
    }
    if components.cadvisor {
        read_into(clients, &paths.cadvisor, &mut scrape).await?;
    }
    Ok(scrape)
}

/// GETs `path` through the API server and feeds its lines to `scrape` as they arrive.
async fn read_into(
    clients: &Clients,
    path: &str,
    scrape: &mut NodeScrape,
) -> Result<(), SourceError> {
    let uri: http::Uri = path
        .parse()
        .map_err(|e: http::uri::InvalidUri| SourceError::Other(e.to_string()))?;
    let body = clients
        .read_retrying(|client| {
            // `Request::new` is a GET.
            let mut request = http::Request::new(Vec::new());
            *request.uri_mut() = uri.clone();
            async move { client.request_stream(request).await }
        })
        .await
        .map_err(|e| SourceError::from_kube(&e))?;
    // One byte past the limit tells a cut body from one that ends there: a cut last line
    // could read as a wrong counter value.
    let mut seen: u64 = 0;
    let mut lines = body.take(MAX_BODY + 1).lines();
    while let Some(line) = lines
        .try_next()
        .await
        .map_err(|e| SourceError::Other(format!("reading {path}: {e}")))?
    {
        seen += line.len() as u64 + 1;
        if seen > MAX_BODY {
            return Err(SourceError::Other(format!(
                "{path} is larger than {} MiB",
                MAX_BODY >> 20
            )));
        }
        scrape.read([line.as_str()]);
    }
    Ok(())
}
