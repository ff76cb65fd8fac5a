//! The frames of one cluster view (see `ktop_web_shared::frame`): each snapshot is encoded
//! once and gzipped once, off the async workers, and the same bytes go to every viewer; a
//! viewer that starts, or fell behind, gets the full frame, also made once.

use std::io::Write;
use std::sync::Arc;

use axum::body::Bytes;
use ktop_web_shared::api::{Snapshot, ViewerAccess};
use ktop_web_shared::frame::{Encoder, FrameKind};
use tokio::time::Instant;

/// A frame's place: the epoch of the proxy's encoder and the sequence number.
pub type Position = (u64, u64);

/// One frame as served.
#[derive(Debug, Clone)]
pub struct Encoded {
    /// Whether it stands alone.
    pub kind: FrameKind,
    /// Where it leaves a viewer that applies it.
    pub position: Position,
    /// The frame.
    pub raw: Bytes,
    /// The frame gzipped, for viewers that accept it (every browser).
    pub gzip: Option<Bytes>,
    /// When the snapshot it brings a viewer to was built.
    pub taken: Instant,
}

/// What a viewer gets.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Apply this.
    Frame(Encoded),
    /// The viewer holds the newest frame already.
    NothingNew,
}

/// Why no frame could be made.
#[derive(Debug, thiserror::Error)]
pub enum FrameFailure {
    /// The encoding task panicked (a bug); the next frame is a full one of a new epoch.
    #[error("the frame encoder failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

#[derive(Default)]
struct State {
    /// Taken while a blocking task encodes; absent after a panic there, until replaced.
    encoder: Option<Encoder>,
    /// The frame of the snapshot the encoder last encoded (its `taken` says which).
    latest: Option<Encoded>,
    /// The full frame of that same snapshot, once a viewer needed it.
    full: Option<Encoded>,
}

/// The frames of one cluster view, for every viewer with the same access.
#[derive(Clone, Default)]
pub struct Frames {
    state: Arc<tokio::sync::Mutex<State>>,
    /// What these frames show: the viewers' access, or everything.
    access: Option<Arc<ViewerAccess>>,
}

impl Frames {
    /// Frames of what viewers with `access` may see, which their META names.
    pub fn scoped(access: ViewerAccess) -> Self {
        Self {
            access: Some(Arc::new(access)),
            ..Self::default()
        }
    }

    /// Where the newest frame leaves a viewer, and when the snapshot it was made from was
    /// built.
    pub async fn position(&self) -> Option<(Position, Instant)> {
        let state = self.state.lock().await;
        state.latest.as_ref().map(|e| (e.position, e.taken))
    }

    /// What brings a viewer at `after` to the newest snapshot: the frame made from it when
    /// the viewer holds the one before, nothing when it holds this one, else the full frame.
    /// `snapshot` (built at `built`) is encoded unless a newer one already was.
    pub async fn reply(
        &self,
        built: Instant,
        snapshot: &Arc<Snapshot>,
        after: Option<Position>,
    ) -> Result<Reply, FrameFailure> {
        // In a task of its own: a viewer that goes away mid-way (a long poll dropped) must
        // not leave the encoder taken out and lost.
        let state = self.state.clone();
        let snapshot = snapshot.clone();
        let access = self.access.clone();
        tokio::spawn(async move {
            let mut state = state.lock().await;
            reply(&mut state, built, &snapshot, access, after).await
        })
        .await?
    }
}

async fn reply(
    state: &mut State,
    built: Instant,
    snapshot: &Arc<Snapshot>,
    access: Option<Arc<ViewerAccess>>,
    after: Option<Position>,
) -> Result<Reply, FrameFailure> {
    let newer = state.latest.as_ref().is_none_or(|e| built > e.taken);
    if newer || state.encoder.is_none() {
        // A new encoder (the first, or after a panic lost the last) starts an epoch with a
        // full frame of this snapshot.
        let encoder = state.encoder.take().unwrap_or_else(new_encoder);
        let snapshot = snapshot.clone();
        let made = tokio::task::spawn_blocking(move || {
            let mut encoder = encoder;
            let (kind, raw) = match &access {
                Some(access) => encoder.encode_scoped(&snapshot, access),
                None => encoder.encode(&snapshot),
            };
            let frame = packed(kind, encoder.position(), raw, built);
            (encoder, frame)
        })
        .await;
        let (encoder, frame) = made.inspect_err(|_| forget(state))?;
        state.encoder = Some(encoder);
        state.full = (frame.kind == FrameKind::Full).then(|| frame.clone());
        state.latest = Some(frame);
    }
    let Some(latest) = state.latest.clone() else {
        return Ok(Reply::NothingNew);
    };
    let (epoch, seq) = latest.position;
    match after {
        Some(held) if held == latest.position => return Ok(Reply::NothingNew),
        Some(held) if held == (epoch, seq.wrapping_sub(1)) && latest.kind == FrameKind::Delta => {
            return Ok(Reply::Frame(latest));
        }
        _ => {}
    }
    if let Some(full) = &state.full {
        return Ok(Reply::Frame(full.clone()));
    }
    let Some(encoder) = state.encoder.take() else {
        return Ok(Reply::Frame(latest));
    };
    // The encoder holds the latest snapshot, which may be newer than `snapshot`.
    let made = tokio::task::spawn_blocking(move || {
        let mut encoder = encoder;
        let raw = encoder.full();
        let full = packed(FrameKind::Full, encoder.position(), raw, latest.taken);
        (encoder, full)
    })
    .await;
    let (encoder, full) = made.inspect_err(|_| forget(state))?;
    state.encoder = Some(encoder);
    state.full = Some(full.clone());
    Ok(Reply::Frame(full))
}

/// After a panic in the encoder: start over, so the next frame is a full one of a new
/// epoch rather than anything built on a lost state.
fn forget(state: &mut State) {
    tracing::error!("the frame encoder failed; viewers get a full frame of a new epoch");
    state.encoder = None;
    state.latest = None;
    state.full = None;
}

/// A new epoch: the time in milliseconds, and a count of the epochs this process started,
/// so neither a restarted proxy nor another cluster view shares one.
fn new_encoder() -> Encoder {
    static STARTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let count = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let ms = u64::try_from(crate::clock::unix_ms()).unwrap_or_default();
    Encoder::new(ms.wrapping_mul(1000).wrapping_add(count % 1000))
}

/// gzip's default level: a frame is compressed once for every viewer, so its bytes matter
/// more than the time. Measured on a 30,000-pod delta: 15 ms at level 6, 2.4 ms at level 1
/// for 5 % more bytes; the full frame 680 KB at level 6, 746 KB at level 1.
const GZIP_LEVEL: u32 = 6;

fn packed(kind: FrameKind, position: Position, raw: Vec<u8>, taken: Instant) -> Encoded {
    let mut gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(raw.len() / 3),
        flate2::Compression::new(GZIP_LEVEL),
    );
    let gzip = match gz.write_all(&raw).and_then(|()| gz.finish()) {
        Ok(gzip) => Some(Bytes::from(gzip)),
        Err(e) => {
            tracing::error!(error = %e, "cannot gzip a frame; it is served as it is");
            None
        }
    };
    Encoded {
        kind,
        position,
        raw: Bytes::from(raw),
        gzip,
        taken,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_viewer_with_the_newest_frame_gets_nothing_new() {
        let frames = Frames::default();
        let snapshot = Arc::new(Snapshot::default());
        let built = Instant::now();
        let Reply::Frame(first) = frames.reply(built, &snapshot, None).await.expect("a frame")
        else {
            panic!("a first viewer gets a frame");
        };
        assert_eq!(first.kind, FrameKind::Full);
        assert_eq!(frames.position().await, Some((first.position, built)));
        assert!(matches!(
            frames.reply(built, &snapshot, Some(first.position)).await,
            Ok(Reply::NothingNew)
        ));
    }

    #[tokio::test]
    async fn an_older_snapshot_is_not_encoded_after_a_newer_one() {
        let frames = Frames::default();
        let snapshot = Arc::new(Snapshot::default());
        let older = Instant::now();
        let newer = older + std::time::Duration::from_millis(1);
        frames.reply(newer, &snapshot, None).await.expect("a frame");
        let at = frames.position().await;
        // A request that built (or read) the older snapshot arrives late.
        frames.reply(older, &snapshot, None).await.expect("a frame");
        assert_eq!(
            frames.position().await,
            at,
            "the viewers would go back a refresh"
        );
    }
}
