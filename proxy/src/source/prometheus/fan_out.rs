//! One scrape of every node: at most [`CONCURRENCY`] nodes at a time, each within
//! [`NODE_TIMEOUT`], each body read line by line into a [`NodeScrape`] and never held whole.

use std::time::Duration;

use futures::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, Stream, StreamExt};

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

/// Longest line read. A series with all its labels is a few hundred bytes; a longer line is
/// none ktop-web reads, and is skipped rather than buffered.
const MAX_LINE: usize = 64 << 10;

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
    let skipped = scrape.bad_lines;
    read_body(body, scrape)
        .await
        .map_err(|e| SourceError::Other(format!("reading {path}: {e}")))?;
    let skipped = scrape.bad_lines - skipped;
    if skipped > 0 {
        tracing::debug!(
            path,
            skipped,
            "lines skipped: not UTF-8, too long or not parsing"
        );
    }
    Ok(())
}

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
enum BodyError {
    /// Over [`MAX_BODY`].
    #[error("the body is larger than {} MiB", MAX_BODY >> 20)]
    TooLarge,
    /// The connection failed mid-body.
    #[error(transparent)]
    Read(#[from] std::io::Error),
}

/// Feeds the lines of one endpoint's body to `scrape` as they arrive. A line that is not
/// UTF-8 or is longer than [`MAX_LINE`] is skipped and counted in `scrape.bad_lines`, like
/// one that does not parse: it costs only itself. A body longer than [`MAX_BODY`] is an
/// error, since its cut last line could read as a wrong counter value.
async fn read_body(
    body: impl AsyncBufRead + Unpin,
    scrape: &mut NodeScrape,
) -> Result<(), BodyError> {
    // One byte past the limit tells a cut body from one that ends there.
    let mut body = body.take(MAX_BODY + 1);
    let mut line = Vec::new();
    let mut seen: u64 = 0;
    // Inside a line too long to keep, whose rest is read in pieces and dropped.
    let mut skipping = false;
    loop {
        line.clear();
        let n = (&mut body)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 {
            return Ok(());
        }
        seen += n as u64;
        if seen > MAX_BODY {
            return Err(BodyError::TooLarge);
        }
        let ended = line.last() == Some(&b'\n');
        if skipping || (!ended && n > MAX_LINE) {
            scrape.bad_lines += usize::from(!skipping);
            skipping = !ended;
            continue;
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        match std::str::from_utf8(text) {
            Ok(text) => scrape.read([text]),
            Err(_) => scrape.bad_lines += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(body: &[u8]) -> (NodeScrape, Result<(), BodyError>) {
        let mut scrape = NodeScrape::default();
        let result = read_body(body, &mut scrape).await;
        (scrape, result)
    }

    #[tokio::test]
    async fn a_line_that_is_not_utf8_is_skipped() {
        let (scrape, result) =
            read(b"node_cpu_usage_seconds_total 1\n# HELP caf\xe9\r\nnode_memory_working_set_bytes 2\r\n").await;
        result.expect("read");
        assert_eq!(scrape.node.cpu_seconds, Some((1.0, None)));
        assert_eq!(scrape.node.memory_bytes, Some(2.0), "the line after it");
        assert_eq!(scrape.bad_lines, 1);
    }

    /// A `name` series padded by a label to exactly `len` bytes.
    fn padded(name: &str, len: usize) -> String {
        let bare = format!("{name}{{pad=\"\"}} 1");
        format!("{name}{{pad=\"{}\"}} 1", "x".repeat(len - bare.len()))
    }

    #[tokio::test]
    async fn a_line_longer_than_the_bound_is_skipped() {
        for (len, kept) in [(MAX_LINE, true), (MAX_LINE + 1, false)] {
            // Followed by another line, or ending the body without a newline.
            for rest in ["\nnode_cpu_usage_seconds_total 1\n", ""] {
                let body = padded("node_memory_working_set_bytes", len) + rest;
                let (scrape, result) = read(body.as_bytes()).await;
                result.expect("a long line is no error");
                assert_eq!(scrape.node.memory_bytes.is_some(), kept, "{len} bytes");
                assert_eq!(scrape.bad_lines, usize::from(!kept));
                assert_eq!(scrape.node.cpu_seconds.is_some(), !rest.is_empty());
            }
        }
    }

    #[tokio::test]
    async fn a_body_over_the_cap_is_an_error() {
        // Endless bytes without a newline: neither the line nor the body is buffered whole.
        let mut scrape = NodeScrape::default();
        let result = read_body(
            futures::io::BufReader::new(futures::io::repeat(b'x')),
            &mut scrape,
        )
        .await;
        assert!(matches!(result, Err(BodyError::TooLarge)), "{result:?}");
    }
}
