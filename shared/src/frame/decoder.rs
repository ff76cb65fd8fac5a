//! The viewer's side: applies frames in order and holds the tables they describe. A frame is
//! read whole and checked before anything changes, so a refused frame leaves the view as it
//! was.

use super::bytes::Reader;
use super::meta::read_meta;
use super::records::{Lookup, read_node, read_pod};
use super::usage::{self, Cells};
use super::{FrameError, FrameKind, MAGIC, OutOfSequence, VERSION, tag};
use std::sync::Arc;

use crate::api::{CpuMem, FrameMeta, Io, NodeRow, PodRow, Stall, Usage};

/// A pod's total usage at the wire's precision.
pub type PodUsage = CpuMem;

/// One kind's rows by slot.
#[derive(Debug, Clone)]
struct Rows<R> {
    objects: Vec<Option<R>>,
    cells: Vec<Cells>,
}

impl<R> Default for Rows<R> {
    fn default() -> Self {
        Self {
            objects: Vec::new(),
            cells: Vec::new(),
        }
    }
}

/// A table's changes, read and checked, not yet applied.
struct TableChange<R> {
    len: usize,
    removed: Vec<usize>,
    /// Slots given an object, and the objects, in the same order.
    upserted: Vec<usize>,
    objects: Vec<R>,
}

/// The live view a sequence of frames describes.
#[derive(Debug, Clone, Default)]
pub struct Live {
    at: Option<(u64, u64)>,
    meta: FrameMeta,
    strings: Vec<String>,
    nodes: Rows<NodeRow>,
    /// Shared, so a viewer can keep a pod's object without copying it.
    pods: Rows<Arc<PodRow>>,
    /// Pod slots the last frame gave another object or emptied; `None` after a full frame.
    changed_pods: Option<Vec<usize>>,
}

impl Live {
    /// The epoch and sequence number of the last frame applied.
    pub fn position(&self) -> Option<(u64, u64)> {
        self.at
    }

    /// The last frame's META: the cluster, source, time and freshness.
    pub fn meta(&self) -> &FrameMeta {
        &self.meta
    }

    /// Node slots (some may be empty).
    pub fn node_slots(&self) -> usize {
        self.nodes.objects.len()
    }

    /// Pod slots (some may be empty).
    pub fn pod_slots(&self) -> usize {
        self.pods.objects.len()
    }

    /// The node in `slot` with its usage.
    pub fn node(&self, slot: usize) -> Option<NodeRow> {
        let mut n = self.nodes.objects.get(slot)?.clone()?;
        usage::fill_node(&mut n, self.nodes.cells.get(slot)?);
        Some(n)
    }

    /// The node in `slot` as its frame described it, without usage or I/O (see
    /// [`Live::node_usage`] and [`Live::node_io`]).
    pub fn node_object(&self, slot: usize) -> Option<&NodeRow> {
        self.nodes.objects.get(slot)?.as_ref()
    }

    /// The node in `slot`'s usage.
    pub fn node_usage(&self, slot: usize) -> Option<Usage> {
        usage::node_usage(self.nodes.cells.get(slot)?)
    }

    /// The node in `slot`'s network and disk throughput.
    pub fn node_io(&self, slot: usize) -> Option<Io> {
        usage::io(self.nodes.cells.get(slot)?)
    }

    /// The node in `slot`'s pressure stalls.
    pub fn node_stall(&self, slot: usize) -> Option<Stall> {
        usage::stall(self.nodes.cells.get(slot)?)
    }

    /// The pod in `slot` with its sample, I/O and container usage.
    pub fn pod(&self, slot: usize) -> Option<PodRow> {
        let mut p = PodRow::clone(self.pods.objects.get(slot)?.as_ref()?);
        usage::fill_pod(&mut p, self.pods.cells.get(slot)?);
        Some(p)
    }

    /// The pod in `slot`'s total usage, at `kubectl top`'s precision.
    pub fn pod_usage(&self, slot: usize) -> Option<PodUsage> {
        usage::pod_total(self.pods.cells.get(slot)?)
    }

    /// The pod in `slot` as its frame described it: no sample, I/O or container usage. A
    /// viewer derives what it shows from this only when [`Live::changed_pods`] names the slot,
    /// and may keep it.
    pub fn pod_object(&self, slot: usize) -> Option<&Arc<PodRow>> {
        self.pods.objects.get(slot)?.as_ref()
    }

    /// The pod in `slot`'s network and disk throughput.
    pub fn pod_io(&self, slot: usize) -> Option<Io> {
        usage::io(self.pods.cells.get(slot)?)
    }

    /// The pod in `slot`'s pressure stalls.
    pub fn pod_stall(&self, slot: usize) -> Option<Stall> {
        usage::stall(self.pods.cells.get(slot)?)
    }

    /// Usage per container of the pod in `slot`, in its containers' order, when it has more
    /// than one (a pod with one container uses [`Live::pod_usage`]).
    pub fn container_usage(&self, slot: usize) -> impl Iterator<Item = Option<CpuMem>> + '_ {
        let cells = self.pods.cells.get(slot).map_or(&[][..], |c| &c.containers);
        cells.iter().map(usage::container_cells)
    }

    /// Pod slots whose object the last frame added, replaced or removed, in no particular
    /// order; `None` after a full frame, which replaces everything.
    pub fn changed_pods(&self) -> Option<&[usize]> {
        self.changed_pods.as_deref()
    }

    /// Applies one frame. A delta must follow the frame last applied; on any error nothing
    /// changes, and the viewer should ask for a full frame.
    pub fn apply(&mut self, frame: &[u8]) -> Result<FrameKind, FrameError> {
        let mut r = Reader::new(frame);
        let magic_ok = (0..3).all(|i| r.byte().ok() == Some(MAGIC[i]));
        if !magic_ok || r.byte()? != VERSION {
            return Err(FrameError::NotAFrame);
        }
        let kind = match r.byte()? {
            0 => FrameKind::Full,
            1 => FrameKind::Delta,
            _ => return Err(FrameError::NotAFrame),
        };
        let (epoch, seq) = (r.uint()?, r.uint()?);
        let full = kind == FrameKind::Full;
        if !full {
            let base = r.uint()?;
            if self.at != Some((epoch, base)) {
                return Err(FrameError::OutOfSequence(Box::new(OutOfSequence {
                    epoch,
                    base,
                    held: self.at,
                })));
            }
        }
        let mut meta_section = Reader::new(section(&mut r, tag::META)?);
        let meta = read_meta(&mut meta_section)?;
        end(&meta_section)?;

        let mut strings = Reader::new(section(&mut r, tag::STRINGS)?);
        let held = if full { 0 } else { self.strings.len() };
        if strings.uint()? != held as u64 {
            return Err(FrameError::Malformed(
                "strings that do not follow the table",
            ));
        }
        let added: Vec<String> = strings.list(|r| r.str().map(str::to_owned))?;
        end(&strings)?;
        let known = &self.strings[..held];
        // Each reference copies its string: a hostile frame naming one long string many
        // times must not turn a few bytes into megabytes.
        let budget = std::cell::Cell::new(frame.len().saturating_mul(STRING_COPIES_PER_BYTE));
        let lookup = |i: u64| -> Result<String, FrameError> {
            let i = usize::try_from(i).map_err(|_| FrameError::Malformed("a string index"))?;
            let s = known
                .get(i)
                .or_else(|| added.get(i.checked_sub(held)?))
                .ok_or(FrameError::Malformed("a string index past the table"))?;
            let left = budget
                .get()
                .checked_sub(s.len())
                .ok_or(FrameError::Malformed(
                    "more string copies than the frame can hold",
                ))?;
            budget.set(left);
            Ok(s.clone())
        };

        let nodes = read_table(&mut r, tag::NODES, &self.nodes, full, &lookup, read_node)?;
        let pods = read_table(&mut r, tag::PODS, &self.pods, full, &lookup, |r, s| {
            read_pod(r, s).map(Arc::new)
        })?;
        let mut usage_section = Reader::new(section(&mut r, tag::USAGE)?);
        let node_cells = read_usage(&mut usage_section, &self.nodes, &nodes, full, |_| 0)?;
        let pod_cells = read_usage(
            &mut usage_section,
            &self.pods,
            &pods,
            full,
            |p: &Arc<PodRow>| p.containers.len(),
        )?;
        end(&usage_section)?;
        end(&r)?;

        // Checked: from here on nothing fails.
        if full {
            self.strings.clear();
            self.nodes = Rows::default();
            self.pods = Rows::default();
        }
        self.strings.extend(added);
        self.changed_pods =
            (!full).then(|| pods.removed.iter().chain(&pods.upserted).copied().collect());
        apply_table(&mut self.nodes, nodes, node_cells);
        apply_table(&mut self.pods, pods, pod_cells);
        self.meta = meta;
        self.at = Some((epoch, seq));
        Ok(kind)
    }
}

/// The next section, which must carry `tag`.
fn section<'a>(r: &mut Reader<'a>, expected: u8) -> Result<&'a [u8], FrameError> {
    if r.byte()? != expected {
        return Err(FrameError::Malformed("sections out of order"));
    }
    r.bytes()
}

fn end(r: &Reader) -> Result<(), FrameError> {
    if r.is_empty() {
        Ok(())
    } else {
        Err(FrameError::Malformed("bytes after the end of a section"))
    }
}

/// Most slots a table may have: far above any cluster. A frame must also be long enough to
/// hold a usage cell for each (`usage.rs`), so a short frame cannot claim many.
const MAX_SLOTS: u64 = 1 << 22;

/// A table longer than its frame could describe.
pub(super) const TOO_MANY_SLOTS: FrameError =
    FrameError::Malformed("more slots than the frame has room for");

/// Bytes of strings a frame's references may copy, per byte of frame. A full frame of
/// 30,000 pods copies about as many bytes as it has (names, namespaces, nodes).
const STRING_COPIES_PER_BYTE: usize = 16;

fn read_table<R>(
    r: &mut Reader,
    expected: u8,
    rows: &Rows<R>,
    full: bool,
    lookup: &Lookup,
    read: fn(&mut Reader, &Lookup) -> Result<R, FrameError>,
) -> Result<TableChange<R>, FrameError> {
    let held: Vec<bool> = if full {
        Vec::new()
    } else {
        rows.objects.iter().map(Option::is_some).collect()
    };
    let mut objects = Vec::new();
    let (len, removed, upserted) = read_changes(r, expected, held, &mut |s| {
        objects.push(read(s, lookup)?);
        Ok(())
    })?;
    Ok(TableChange {
        len,
        removed,
        upserted,
        objects,
    })
}

/// A table section: its length, removed slots and upserted slots, with `read` reading each
/// upserted object. Only that reading is particular to a kind of object: the rest exists
/// once in the wasm.
fn read_changes(
    r: &mut Reader,
    expected: u8,
    held: Vec<bool>,
    read: &mut dyn FnMut(&mut Reader) -> Result<(), FrameError>,
) -> Result<(usize, Vec<usize>, Vec<usize>), FrameError> {
    let mut s = Reader::new(section(r, expected)?);
    let (len, removed) = read_slots(&mut s, r.remaining(), held.len())?;
    let upserted = s.list(|s| {
        let i = slot(s, len)?;
        read(s)?;
        Ok(i)
    })?;
    end(&s)?;
    check_end(len, held, &removed, &upserted)?;
    Ok((len, removed, upserted))
}

/// A table's length and removed slots; `room` is what is left of the frame after this
/// section, `held` the slots the view has now.
fn read_slots(s: &mut Reader, room: usize, held: usize) -> Result<(usize, Vec<usize>), FrameError> {
    let len = s.uint()?;
    if len > MAX_SLOTS {
        return Err(FrameError::Malformed("more slots than any cluster has"));
    }
    // Each slot has a usage cell of at least a byte further on: refused here, before
    // anything is allocated for the slots.
    if len > room as u64 {
        return Err(TOO_MANY_SLOTS);
    }
    let removed = s.list(|s| slot(s, held))?;
    Ok((len as usize, removed))
}

/// A slot number below `below`.
fn slot(s: &mut Reader, below: usize) -> Result<usize, FrameError> {
    let v = s.uint()?;
    if v >= below as u64 {
        return Err(FrameError::Malformed("a slot past the table"));
    }
    Ok(v as usize)
}

/// After the change, every slot past the new length must be empty.
fn check_end(
    len: usize,
    mut occupied: Vec<bool>,
    removed: &[usize],
    upserted: &[usize],
) -> Result<(), FrameError> {
    occupied.resize(occupied.len().max(len), false);
    for &i in removed {
        occupied[i] = false;
    }
    for &i in upserted {
        occupied[i] = true;
    }
    if occupied[len..].iter().any(|&o| o) {
        return Err(FrameError::Malformed("rows left past the table's end"));
    }
    Ok(())
}

fn read_usage<R>(
    r: &mut Reader,
    rows: &Rows<R>,
    change: &TableChange<R>,
    full: bool,
    containers: impl Fn(&R) -> usize,
) -> Result<Vec<Cells>, FrameError> {
    let mut fresh = vec![full; change.len];
    let mut counts: Vec<usize> = (0..change.len)
        .map(|i| {
            rows.objects
                .get(i)
                .and_then(Option::as_ref)
                .map_or(0, &containers)
        })
        .collect();
    for &i in &change.removed {
        if let Some(f) = fresh.get_mut(i) {
            *f = true;
            counts[i] = 0;
        }
    }
    if full {
        counts.iter_mut().for_each(|c| *c = 0);
    }
    for (&i, row) in change.upserted.iter().zip(&change.objects) {
        fresh[i] = true;
        counts[i] = containers(row);
    }
    usage::read_columns(r, &rows.cells, &fresh, &counts)
}

fn apply_table<R>(rows: &mut Rows<R>, change: TableChange<R>, cells: Vec<Cells>) {
    for i in change.removed {
        if let Some(o) = rows.objects.get_mut(i) {
            *o = None;
        }
    }
    rows.objects
        .resize_with(change.len.max(rows.objects.len()), || None);
    for (i, row) in change.upserted.into_iter().zip(change.objects) {
        rows.objects[i] = Some(row);
    }
    rows.objects.truncate(change.len);
    rows.cells = cells;
}
