//! META: the frame's cluster, source, time, freshness and viewer, field by field. A few hundred
//! bytes, in every frame; binary rather than JSON so the viewer needs no JSON decoder for
//! the frames it follows.

use super::FrameError;
use super::bytes::{Reader, Writer};
use crate::api::{
    Fallback, FallbackReason, FrameMeta, SourceKind, SourceMode, StalePart, Staleness, ViewerAccess,
};

/// Writes `m`.
pub fn write_meta(w: &mut Writer, m: &FrameMeta) {
    let c = &m.cluster;
    for s in [&c.context, &c.server, &c.user] {
        w.bytes(s.as_bytes());
    }
    write_optional_str(w, c.namespace.as_deref());
    w.uint(c.refresh_ms);
    w.uint(u64::from(c.history));
    w.byte(u8::from(c.demo));

    let s = &m.source;
    w.byte(mode_code(s.mode));
    w.byte(kind_code(s.live));
    w.uint(s.fallbacks.len() as u64);
    for f in &s.fallbacks {
        w.byte(kind_code(f.source));
        w.byte(reason_code(f.reason));
        w.bytes(f.message.as_bytes());
        w.bytes(f.hint.as_bytes());
        write_optional_int(w, f.retry_at_ms);
    }
    write_optional_int(w, s.last_sample_ms);
    w.byte(u8::from(s.io) | (u8::from(s.psi) << 1));

    w.int(m.taken_at_ms);
    let f = &m.freshness;
    w.int(f.objects_ms);
    write_optional_int(w, f.usage_ms);
    w.uint(f.stale.len() as u64);
    for s in &f.stale {
        w.byte(match s.part {
            StalePart::Objects => 0,
            StalePart::Usage => 1,
            StalePart::Owners => 2,
        });
        w.int(s.since_ms);
        w.bytes(s.reason.as_bytes());
    }

    w.byte(u8::from(m.viewer.is_some()));
    if let Some(v) = &m.viewer {
        w.byte(u8::from(v.nodes));
        w.byte(u8::from(v.namespaces.is_some()));
        let namespaces = v.namespaces.as_deref().unwrap_or_default();
        w.uint(namespaces.len() as u64);
        for ns in namespaces {
            w.bytes(ns.as_bytes());
        }
    }
}

/// Reads what [`write_meta`] wrote.
pub fn read_meta(r: &mut Reader) -> Result<FrameMeta, FrameError> {
    // Filled in place, as `records::read_node` explains.
    let mut m = FrameMeta::default();
    let c = &mut m.cluster;
    for s in [&mut c.context, &mut c.server, &mut c.user] {
        *s = r.str()?.to_owned();
    }
    c.namespace = read_optional_str(r)?;
    c.refresh_ms = r.uint()?;
    c.history = r.u32()?;
    c.demo = r.byte()? != 0;

    let s = &mut m.source;
    s.mode = pick(r, &MODES)?;
    s.live = pick(r, &KINDS)?;
    s.fallbacks = r.list(|r| {
        let mut f = Fallback {
            source: pick(r, &KINDS)?,
            reason: pick(r, &REASONS)?,
            ..Fallback::default()
        };
        f.message = r.str()?.to_owned();
        f.hint = r.str()?.to_owned();
        f.retry_at_ms = read_optional_int(r)?;
        Ok(f)
    })?;
    s.last_sample_ms = read_optional_int(r)?;
    let measures = r.byte()?;
    s.io = measures & 1 != 0;
    s.psi = measures & 2 != 0;

    m.taken_at_ms = r.int()?;
    let f = &mut m.freshness;
    f.objects_ms = r.int()?;
    f.usage_ms = read_optional_int(r)?;
    f.stale = r.list(|r| {
        let mut s = Staleness {
            part: pick(
                r,
                &[StalePart::Objects, StalePart::Usage, StalePart::Owners],
            )?,
            since_ms: r.int()?,
            ..Staleness::default()
        };
        s.reason = r.str()?.to_owned();
        Ok(s)
    })?;
    if r.byte()? != 0 {
        let nodes = r.byte()? != 0;
        let limited = r.byte()? != 0;
        let namespaces = r.list(|r| Ok(r.str()?.to_owned()))?;
        m.viewer = Some(ViewerAccess {
            nodes,
            namespaces: limited.then_some(namespaces),
        });
    }
    Ok(m)
}

const MODES: [SourceMode; 5] = [
    SourceMode::Auto,
    SourceMode::MetricsServer,
    SourceMode::Prometheus,
    SourceMode::None,
    SourceMode::Demo,
];

const KINDS: [SourceKind; 4] = [
    SourceKind::MetricsServer,
    SourceKind::Prometheus,
    SourceKind::None,
    SourceKind::Demo,
];

const REASONS: [FallbackReason; 6] = [
    FallbackReason::NotInstalled,
    FallbackReason::Unavailable,
    FallbackReason::Forbidden,
    FallbackReason::Timeout,
    FallbackReason::Starting,
    FallbackReason::Error,
];

/// A value's code: its place in the list the reader picks from. Matches rather than
/// searches, so a variant missing from a list does not compile.
fn mode_code(m: SourceMode) -> u8 {
    match m {
        SourceMode::Auto => 0,
        SourceMode::MetricsServer => 1,
        SourceMode::Prometheus => 2,
        SourceMode::None => 3,
        SourceMode::Demo => 4,
    }
}

fn kind_code(k: SourceKind) -> u8 {
    match k {
        SourceKind::MetricsServer => 0,
        SourceKind::Prometheus => 1,
        SourceKind::None => 2,
        SourceKind::Demo => 3,
    }
}

fn reason_code(f: FallbackReason) -> u8 {
    match f {
        FallbackReason::NotInstalled => 0,
        FallbackReason::Unavailable => 1,
        FallbackReason::Forbidden => 2,
        FallbackReason::Timeout => 3,
        FallbackReason::Starting => 4,
        FallbackReason::Error => 5,
    }
}

/// The value a code names in `values`.
fn pick<T: Copy>(r: &mut Reader, values: &[T]) -> Result<T, FrameError> {
    values
        .get(usize::from(r.byte()?))
        .copied()
        .ok_or(FrameError::Malformed("a code out of range in the meta"))
}

fn write_optional_str(w: &mut Writer, s: Option<&str>) {
    w.byte(u8::from(s.is_some()));
    if let Some(s) = s {
        w.bytes(s.as_bytes());
    }
}

fn read_optional_str(r: &mut Reader) -> Result<Option<String>, FrameError> {
    Ok(match r.byte()? {
        0 => None,
        _ => Some(r.str()?.to_owned()),
    })
}

fn write_optional_int(w: &mut Writer, v: Option<i64>) {
    w.byte(u8::from(v.is_some()));
    if let Some(v) = v {
        w.int(v);
    }
}

fn read_optional_int(r: &mut Reader) -> Result<Option<i64>, FrameError> {
    Ok(match r.byte()? {
        0 => None,
        _ => Some(r.int()?),
    })
}
