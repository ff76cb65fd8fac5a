//! Talks to the ktop-web server's API: frames of the live view, and JSON for the rest.

use gloo_net::http::{Request, RequestBuilder, Response};
use ktop_web_shared::api::{
    API_PREFIX, ApiError, ContextList, FRAME_CONTENT_TYPE, FRAME_TAKEN_HEADER,
};
use ktop_web_shared::decode::{DecodeError, from_json};
use ktop_web_shared::history::HistoryQuery;

use crate::embed::bearer;
use crate::route::url_codec::encode;

/// Shown when the server does not answer at all.
pub const UNREACHABLE_MESSAGE: &str = "ktop-web is not reachable — is it still running?";

/// Why a request failed, in words for people.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchError {
    /// No answer: the server is down or the network is.
    Unreachable,
    /// The server answered with an error status.
    Server {
        /// HTTP status.
        status: u16,
        /// What went wrong.
        message: String,
        /// What to do about it.
        hint: Option<String>,
    },
    /// The answer was not what this app understands (version skew, proxy in between, …).
    BadResponse(String),
}

impl FetchError {
    /// Interprets an error response: the API's JSON error body when there is one.
    pub fn from_response(status: u16, status_text: &str, body: &str) -> FetchError {
        match from_json::<ApiError>(body.as_bytes()) {
            Ok(err) => FetchError::Server {
                status,
                message: err.message,
                hint: err.hint,
            },
            Err(_) => {
                let detail = body.trim();
                let message = if detail.is_empty() || detail.len() > 200 {
                    format!("ktop-web answered HTTP {status} {status_text}")
                } else {
                    format!("ktop-web answered HTTP {status} {status_text}: {detail}")
                };
                FetchError::Server {
                    status,
                    message,
                    hint: None,
                }
            }
        }
    }

    /// What went wrong.
    pub fn message(&self) -> String {
        match self {
            FetchError::Unreachable => UNREACHABLE_MESSAGE.to_owned(),
            FetchError::Server { message, .. } => message.clone(),
            FetchError::BadResponse(detail) => {
                format!("ktop-web sent a response this page cannot read: {detail}")
            }
        }
    }

    /// What to do about it, if anything useful can be said.
    pub fn hint(&self) -> Option<String> {
        match self {
            FetchError::Unreachable => Some(
                "Start it again (or check the port-forward); this page keeps retrying.".to_owned(),
            ),
            FetchError::Server { hint, .. } => hint.clone(),
            FetchError::BadResponse(_) => {
                Some("Reload the page; the server may have been upgraded.".to_owned())
            }
        }
    }
}

/// Builds every API request: the one place to add headers such as authorization.
fn api_get(path: &str, accept: &str) -> RequestBuilder {
    let request = Request::get(&format!("{API_PREFIX}{path}")).header("Accept", accept);
    match bearer() {
        Some(token) => request.header("Authorization", &format!("Bearer {token}")),
        None => request,
    }
}

/// Sends a `GET` and checks its status: the response, or the error it stands for. Not
/// generic, so the code of a request exists once however many types are fetched.
async fn send(path: &str, accept: &str) -> Result<Response, FetchError> {
    let response = api_get(path, accept)
        .send()
        .await
        .map_err(|_| FetchError::Unreachable)?;
    if !response.ok() {
        return Err(error_from(response).await);
    }
    Ok(response)
}

/// A response's body as bytes, not text: a JS string would be re-encoded to UTF-8 on its way
/// into wasm.
async fn body(response: Response) -> Result<Vec<u8>, FetchError> {
    response.binary().await.map_err(|_| FetchError::Unreachable)
}

/// A JSON body that does not decode.
pub fn unreadable(e: DecodeError) -> FetchError {
    FetchError::BadResponse(e.to_string())
}

async fn error_from(response: Response) -> FetchError {
    let body = response.binary().await.unwrap_or_default();
    let body = String::from_utf8_lossy(&body);
    FetchError::from_response(response.status(), &response.status_text(), &body)
}

/// `GET /api/v1/contexts`.
pub async fn fetch_contexts() -> Result<ContextList, FetchError> {
    from_json(&fetch_body("/contexts", "application/json").await?).map_err(unreadable)
}

/// `GET` the body at `path` (under the API prefix) as bytes; only decoding depends on what
/// is read, so this exists once in the wasm.
pub async fn fetch_body(path: &str, accept: &str) -> Result<Vec<u8>, FetchError> {
    body(send(path, accept).await?).await
}

/// The answer to a frame request.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameReply {
    /// A frame to apply.
    Frame {
        /// The frame's bytes (the browser has undone the gzip).
        bytes: Vec<u8>,
        /// Milliseconds from the request to when its snapshot was built, as the server
        /// counted them; negative when built before the request.
        taken_after_request_ms: i64,
    },
    /// The server waited a refresh interval and had nothing newer.
    NothingNew,
}

/// `GET /api/v1/contexts/{context}/frames[?after=EPOCH.SEQ]`: the frame that brings a view
/// at `after` up to date; the server holds the request until there is one.
pub async fn fetch_frame(
    context: &str,
    after: Option<(u64, u64)>,
) -> Result<FrameReply, FetchError> {
    let mut path = format!("/contexts/{}/frames", encode(context));
    if let Some((epoch, seq)) = after {
        path.push_str(&format!("?after={epoch}.{seq}"));
    }
    let response = send(&path, FRAME_CONTENT_TYPE).await?;
    if response.status() == 204 {
        return Ok(FrameReply::NothingNew);
    }
    let taken_after_request_ms = response
        .headers()
        .get(FRAME_TAKEN_HEADER)
        .and_then(|v| whole_number(&v))
        .ok_or_else(|| FetchError::BadResponse(NO_TAKEN_HEADER.to_owned()))?;
    Ok(FrameReply::Frame {
        bytes: body(response).await?,
        taken_after_request_ms,
    })
}

/// Said of a frame without a valid [`FRAME_TAKEN_HEADER`].
const NO_TAKEN_HEADER: &str = "a frame without a valid ktop-taken-after-request-ms header";

/// A whole number such as `-1250`, or `None`. By hand: `str::parse` would add its code to
/// the wasm for this one header.
fn whole_number(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let magnitude = digits.bytes().try_fold(0i64, |n, b| {
        let digit = b.checked_sub(b'0').filter(|d| *d < 10)?;
        n.checked_mul(10)?.checked_add(i64::from(digit))
    })?;
    Some(if negative { -magnitude } else { magnitude })
}

/// Path (under the API prefix) of a node's details.
pub fn node_path(context: &str, name: &str) -> String {
    format!("/contexts/{}/nodes/{}", encode(context), encode(name))
}

/// Path of a pod's details.
pub fn pod_path(context: &str, ns: &str, name: &str) -> String {
    format!(
        "/contexts/{}/namespaces/{}/pods/{}",
        encode(context),
        encode(ns),
        encode(name)
    )
}

/// Which object's events to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventsOf {
    /// A pod in its namespace.
    Pod,
    /// A node (events live in `default`).
    Node,
}

/// Path of a range's history.
pub fn history_path(context: &str, query: &HistoryQuery) -> String {
    format!(
        "/contexts/{}/history?{}",
        encode(context),
        query.to_query_string()
    )
}

/// Path of the pods a label selector matches.
pub fn selected_pods_path(context: &str, selector: &str) -> String {
    format!(
        "/contexts/{}/pods?selector={}",
        encode(context),
        encode(selector)
    )
}

/// Path of the quotas of the namespaces in view.
pub fn quotas_path(context: &str) -> String {
    format!("/contexts/{}/quotas", encode(context))
}

/// Path of the events about a pod or node.
pub fn events_path(context: &str, kind: EventsOf, ns: &str, name: &str) -> String {
    let (kind, ns) = match kind {
        EventsOf::Pod => ("Pod", ns),
        EventsOf::Node => ("Node", "default"),
    };
    format!(
        "/contexts/{}/namespaces/{}/events?kind={kind}&name={}",
        encode(context),
        encode(ns),
        encode(name)
    )
}

/// What part of a container's log to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogOptions {
    /// Lines from the end.
    pub tail_lines: u32,
    /// The previous instance's log.
    pub previous: bool,
    /// RFC 3339 timestamps before each line.
    pub timestamps: bool,
}

/// Path of a container's log.
pub fn log_path(context: &str, ns: &str, pod: &str, container: &str, o: &LogOptions) -> String {
    format!(
        "/contexts/{}/namespaces/{}/pods/{}/log?container={}&tailLines={}&previous={}&timestamps={}",
        encode(context),
        encode(ns),
        encode(pod),
        encode(container),
        o.tail_lines,
        o.previous,
        o.timestamps
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_keep_message_and_hint() {
        let body = r#"{"message":"context \"x\" is not served","hint":"Pick one of: a, b"}"#;
        let err = FetchError::from_response(404, "Not Found", body);
        assert_eq!(err.message(), "context \"x\" is not served");
        assert_eq!(err.hint().as_deref(), Some("Pick one of: a, b"));
    }

    #[test]
    fn whole_numbers_and_nothing_else() {
        assert_eq!(whole_number("0"), Some(0));
        assert_eq!(whole_number("4875"), Some(4875));
        assert_eq!(whole_number("-1250"), Some(-1250));
        for bad in ["", "-", "1.5", "12a", " 1", "+1", "99999999999999999999"] {
            assert_eq!(whole_number(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn other_errors_in_plain_words() {
        let err = FetchError::from_response(502, "Bad Gateway", "upstream down\n");
        assert_eq!(
            err.message(),
            "ktop-web answered HTTP 502 Bad Gateway: upstream down"
        );
        assert_eq!(err.hint(), None);
        let err = FetchError::from_response(500, "Internal Server Error", "");
        assert_eq!(
            err.message(),
            "ktop-web answered HTTP 500 Internal Server Error"
        );
        assert_eq!(FetchError::Unreachable.message(), UNREACHABLE_MESSAGE);
    }
}
