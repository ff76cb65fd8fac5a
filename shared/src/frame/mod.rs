//! Frames: the compact wire format that carries a cluster's live view as what changed.
//!
//! A [`Snapshot`](crate::api::Snapshot) of 30,000 pods is 12.6 MB of JSON, while between two
//! refreshes of a steady cluster only two numbers per pod change. The proxy's [`Encoder`]
//! turns each refresh into a frame once, for every viewer; the browser's [`Live`] applies
//! frames in order and holds the same tables.
//!
//! ```text
//! frame    = "KTF" version:u8 kind:u8 epoch:uint seq:uint [base:uint, delta only] section*
//! section  = tag:u8 length:uint body
//! META     = cluster, source, taken_at_ms, freshness, viewer, field by field (every frame)
//! STRINGS  = first:uint count:uint (length:uint utf8)*   appended to the string table
//! NODES    = slots:uint removed:uint slot:uint* upserted:uint (slot:uint node)*
//! PODS     = slots:uint removed:uint slot:uint* upserted:uint (slot:uint pod)*
//! USAGE    = node columns, then pod columns; each: flags:u8, then column after column,
//!            one value per slot, then CPU and memory per container of pods with several
//! ```
//!
//! - `uint` is LEB128; signed values are zigzag LEB128 ([`bytes`]).
//! - A **full** frame starts the decoder afresh; a **delta** applies only to the frame whose
//!   sequence number is its `base`. Anything else is refused, and the viewer asks for a full
//!   frame, so a viewer that missed frames never shows a wrong table.
//! - Rows live in **slots**: small integers reused lowest first, so the tables and every
//!   column indexed by them shrink again after a scale-down.
//! - Strings (names, namespaces, nodes, reasons) are referred to by index into a table that
//!   frames extend; a full frame carries the whole table, and the table is rebuilt from the
//!   live objects (with a full frame) once deleted objects' names have doubled it.
//! - Usage columns hold, per slot, 0 for "none" or the value plus one, sent as the difference
//!   from the previous frame: a value that did not change costs one zero byte, which gzip
//!   then all but removes.
//! - Pod CPU travels in millicores rounded up and memory in KiB rounded down, which is the
//!   precision `kubectl top` shows (it rounds the same ways), per pod and, for pods with more
//!   than one container, per container. Node usage is exact.

mod bytes;
mod decoder;
mod encoder;
mod meta;
mod records;
mod slots;
mod usage;

pub use decoder::{Live, PodUsage};
pub use encoder::Encoder;

/// The first bytes of every frame.
pub const MAGIC: &[u8; 3] = b"KTF";
/// The format's version; a decoder refuses any other. 2: META names the viewer's access.
/// 3: pods carry their workload, readiness and extended resources, nodes their extended
/// resources.
pub const VERSION: u8 = 3;

/// Whether a frame stands alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// Everything: the decoder starts afresh.
    Full = 0,
    /// What changed since the frame numbered `base`.
    Delta = 1,
}

/// Section tags.
mod tag {
    pub const META: u8 = 1;
    pub const STRINGS: u8 = 2;
    pub const NODES: u8 = 3;
    pub const PODS: u8 = 4;
    pub const USAGE: u8 = 5;
}

/// Why a frame was refused. The decoder's state is unchanged by a refused frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The frame ends in the middle of a value.
    #[error("the frame is cut short")]
    Truncated,
    /// Not a frame, or one this decoder cannot read.
    #[error("not a ktop-web frame of version {VERSION}")]
    NotAFrame,
    /// A delta for another frame than the one last applied: ask for a full frame.
    #[error("{0}")]
    OutOfSequence(Box<OutOfSequence>),
    /// A value that breaks the format.
    #[error("malformed frame: {0}")]
    Malformed(&'static str),
}

/// A delta that does not follow the frame the view holds. Boxed in [`FrameError`], which is
/// then two words: every reader returns one, and a small error keeps them small in the wasm.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a delta for frame {base} of epoch {epoch}, which the view does not hold")]
pub struct OutOfSequence {
    /// The delta's epoch.
    pub epoch: u64,
    /// The frame it applies to.
    pub base: u64,
    /// The epoch and sequence number held now, if any.
    pub held: Option<(u64, u64)>,
}

/// Pod CPU on the wire: millicores, rounded up as `kubectl top` rounds.
pub fn cpu_to_wire(nanos: u64) -> u64 {
    crate::format::cpu_millis(nanos)
}

/// Pod CPU from the wire, in nanocores.
pub fn cpu_from_wire(millis: u64) -> u64 {
    millis.saturating_mul(crate::format::NANOS_PER_MILLI)
}

/// Pod memory on the wire: KiB, rounded down (`kubectl top`'s MiB are then exact).
pub fn mem_to_wire(bytes: u64) -> u64 {
    bytes >> 10
}

/// Pod memory from the wire, in bytes.
pub fn mem_from_wire(kib: u64) -> u64 {
    kib.saturating_mul(1024)
}

#[cfg(test)]
mod tests;
