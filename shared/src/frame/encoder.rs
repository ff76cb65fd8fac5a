//! The proxy's side: turns each refresh's snapshot into one frame for every viewer, and a
//! full frame on demand for a viewer that starts or fell behind.

use std::collections::HashMap;

use super::bytes::Writer;
use super::meta::write_meta;
use super::records::{Intern, node_object, pod_object, write_node, write_pod};
use super::slots::Slots;
use super::usage::{self, Cells, EMPTY};
use super::{FrameKind, MAGIC, VERSION, tag};
use crate::api::{FrameMeta, NodeRow, PodRow, Snapshot, ViewerAccess};

/// The string table is rebuilt from the live objects alone (with a full frame) when it has
/// grown to this many times its size after the last rebuild: names of deleted pods would
/// otherwise pile up for as long as the proxy runs. Relative to that size, so a cluster
/// whose objects carry many strings does not rebuild at every frame.
const STRINGS_GROWTH: usize = 2;
/// Strings always allowed, so a small cluster with churn does not rebuild often.
const STRINGS_FLOOR: usize = 4096;

/// Slots may be this many times the rows plus this many before rows are moved down.
const COMPACT_ABOVE: (usize, usize) = (2, 64);

/// One kind's rows as the viewers hold them.
struct Table<R> {
    slots: Slots,
    /// By slot: the object without usage.
    objects: Vec<Option<R>>,
    /// By slot: the usage cells last sent.
    cells: Vec<Cells>,
}

impl<R> Default for Table<R> {
    fn default() -> Self {
        Self {
            slots: Slots::default(),
            objects: Vec::new(),
            cells: Vec::new(),
        }
    }
}

/// What changed in one table between two frames.
struct Change {
    removed: Vec<u32>,
    upserted: Vec<u32>,
    /// The cells sent last time, by slot; slots that changed hands count as empty.
    before: Vec<Cells>,
    fresh: Vec<bool>,
}

/// How a kind of row is keyed and split into object and usage.
struct Kind<R> {
    key: fn(&R) -> String,
    object: fn(&R) -> R,
    cells: fn(&R) -> Cells,
}

impl<R: Clone + PartialEq> Table<R> {
    /// Brings the table to `rows` and says what changed.
    fn update(&mut self, rows: &[&R], kind: &Kind<R>, flags: u8) -> Change {
        let seen: std::collections::HashSet<String> = rows.iter().map(|r| (kind.key)(r)).collect();
        let gone: Vec<String> = self
            .slots
            .iter()
            .filter(|(k, _)| !seen.contains(*k))
            .map(|(k, _)| k.to_owned())
            .collect();
        let mut removed = Vec::with_capacity(gone.len());
        for key in gone {
            if let Some(slot) = self.slots.remove(&key) {
                self.objects[slot as usize] = None;
                removed.push(slot);
            }
        }
        let mut upserted = Vec::new();
        // In the rows' order, so that new rows take slots in that order.
        for &row in rows {
            let key = (kind.key)(row);
            let object = (kind.object)(row);
            let slot = match self.slots.get(&key) {
                Some(slot) if self.objects[slot as usize].as_ref() == Some(&object) => continue,
                Some(slot) => slot,
                None => self.slots.insert(key),
            } as usize;
            if slot >= self.objects.len() {
                self.objects.resize_with(slot + 1, || None);
            }
            self.objects[slot] = Some(object);
            upserted.push(slot as u32);
        }
        // After a scale-down the rows left can sit anywhere; moving the last into the
        // lowest holes lets the tables shrink to the cluster again.
        while self.slots.len() as usize > COMPACT_ABOVE.0 * self.slots.live() + COMPACT_ABOVE.1 {
            let Some((from, to)) = self.slots.compact_one() else {
                break;
            };
            let moved = self.objects[from as usize].take();
            self.objects[to as usize] = moved;
            removed.push(from);
            upserted.retain(|&s| s != from);
            upserted.push(to);
        }
        // A slot freed and taken again in one frame is an upsert only.
        removed.retain(|s| self.objects.get(*s as usize).is_none_or(Option::is_none));
        let len = self.slots.len() as usize;
        self.objects.truncate(len);
        let mut fresh = vec![false; len];
        for &s in removed.iter().chain(&upserted) {
            if let Some(f) = fresh.get_mut(s as usize) {
                *f = true;
            }
        }
        let mut cells = vec![EMPTY.clone(); len];
        for &r in rows {
            if let Some(slot) = self.slots.get(&(kind.key)(r)) {
                let c = (kind.cells)(r);
                cells[slot as usize] = usage::masked(c, flags);
            }
        }
        let before = std::mem::replace(&mut self.cells, cells);
        upserted.sort_unstable();
        removed.sort_unstable();
        Change {
            removed,
            upserted,
            before,
            fresh,
        }
    }
}

/// Turns snapshots into frames. One per cluster view; viewers share its output.
pub struct Encoder {
    epoch: u64,
    seq: u64,
    strings: HashMap<String, u64>,
    /// In index order.
    string_list: Vec<String>,
    /// The string table's size after the last rebuild.
    strings_rebuilt: usize,
    nodes: Table<NodeRow>,
    pods: Table<PodRow>,
    /// The optional usage columns the last frame carried (`usage::flags`).
    flags: u8,
    /// The meta of the last snapshot encoded, for full frames made later.
    meta: FrameMeta,
}

const NODES: Kind<NodeRow> = Kind {
    key: |n| n.name.clone(),
    object: node_object,
    cells: usage::node_cells,
};

const PODS: Kind<PodRow> = Kind {
    key: PodRow::key,
    object: pod_object,
    cells: usage::pod_cells,
};

impl Encoder {
    /// An encoder whose frames carry `epoch`: different for every start of the proxy, so a
    /// viewer holding another epoch's frames is given a full frame.
    pub fn new(epoch: u64) -> Self {
        Self {
            epoch,
            seq: 0,
            strings: HashMap::new(),
            string_list: Vec::new(),
            strings_rebuilt: 0,
            nodes: Table::default(),
            pods: Table::default(),
            flags: 0,
            meta: FrameMeta::default(),
        }
    }

    /// The epoch and sequence number of the last frame made.
    pub fn position(&self) -> (u64, u64) {
        (self.epoch, self.seq)
    }

    /// The next frame: what changed since the last one, or a full frame for the first or
    /// when the string table is rebuilt.
    pub fn encode(&mut self, snapshot: &Snapshot) -> (FrameKind, Vec<u8>) {
        self.meta = FrameMeta::of(snapshot);
        let nodes: Vec<&NodeRow> = snapshot.nodes.iter().collect();
        let pods: Vec<&PodRow> = snapshot.pods.iter().collect();
        self.encode_rows(&nodes, &pods, usage::flags(&snapshot.source))
    }

    /// The next frame of what a viewer with `access` may see of `snapshot`; its META names
    /// that access.
    pub fn encode_scoped(
        &mut self,
        snapshot: &Snapshot,
        access: &ViewerAccess,
    ) -> (FrameKind, Vec<u8>) {
        self.meta = FrameMeta::of(snapshot);
        self.meta.viewer = Some(access.clone());
        let nodes: Vec<&NodeRow> = access.nodes_of(&snapshot.nodes).iter().collect();
        let pods = access.pods_of(&snapshot.pods);
        self.encode_rows(&nodes, &pods, usage::flags(&snapshot.source))
    }

    fn encode_rows(
        &mut self,
        nodes: &[&NodeRow],
        pods: &[&PodRow],
        flags: u8,
    ) -> (FrameKind, Vec<u8>) {
        self.flags = flags;
        let nodes = self.nodes.update(nodes, &NODES, flags);
        let pods = self.pods.update(pods, &PODS, flags);
        let first = self.seq == 0;
        self.seq += 1;
        let grown =
            self.string_list.len() > STRINGS_FLOOR.max(STRINGS_GROWTH * self.strings_rebuilt);
        if first || grown {
            self.strings.clear();
            self.string_list.clear();
            let full = self.full();
            self.strings_rebuilt = self.string_list.len();
            return (FrameKind::Full, full);
        }
        let base_strings = self.string_list.len();
        let tables = self.tables(&nodes, &pods);
        let mut w = header(FrameKind::Delta, self.epoch, self.seq, Some(self.seq - 1));
        w.section(tag::META, |w| write_meta(w, &self.meta));
        write_strings(&mut w, base_strings, &self.string_list[base_strings..]);
        w.buf.extend_from_slice(&tables);
        (FrameKind::Delta, w.buf)
    }

    /// A full frame of the state the last frame left: for a viewer that starts, or that
    /// missed frames.
    pub fn full(&mut self) -> Vec<u8> {
        let (nodes, pods) = (everything(&self.nodes), everything(&self.pods));
        let tables = self.tables(&nodes, &pods);
        let mut w = header(FrameKind::Full, self.epoch, self.seq, None);
        w.section(tag::META, |w| write_meta(w, &self.meta));
        write_strings(&mut w, 0, &self.string_list);
        w.buf.extend_from_slice(&tables);
        w.buf
    }

    /// The NODES, PODS and USAGE sections for these changes. Written before the STRINGS
    /// section they follow, because writing them interns the strings they name.
    fn tables(&mut self, nodes: &Change, pods: &Change) -> Vec<u8> {
        let mut w = Writer::default();
        let (strings, list) = (&mut self.strings, &mut self.string_list);
        let mut intern = |s: &str| intern(strings, list, s);
        write_table(
            &mut w,
            tag::NODES,
            &self.nodes,
            nodes,
            &mut intern,
            write_node,
        );
        write_table(&mut w, tag::PODS, &self.pods, pods, &mut intern, write_pod);
        w.section(tag::USAGE, |w| {
            write_usage(w, &self.nodes.cells, nodes, self.flags);
            write_usage(w, &self.pods.cells, pods, self.flags);
        });
        w.buf
    }
}

/// Every row of `t` as new.
fn everything<R>(t: &Table<R>) -> Change {
    Change {
        removed: Vec::new(),
        upserted: (0..t.objects.len() as u32)
            .filter(|&s| t.objects[s as usize].is_some())
            .collect(),
        before: Vec::new(),
        fresh: vec![true; t.objects.len()],
    }
}

fn intern(strings: &mut HashMap<String, u64>, list: &mut Vec<String>, s: &str) -> u64 {
    if let Some(&i) = strings.get(s) {
        return i;
    }
    let i = list.len() as u64;
    strings.insert(s.to_owned(), i);
    list.push(s.to_owned());
    i
}

fn header(kind: FrameKind, epoch: u64, seq: u64, base: Option<u64>) -> Writer {
    let mut w = Writer::default();
    w.buf.extend_from_slice(MAGIC);
    w.byte(VERSION);
    w.byte(kind as u8);
    w.uint(epoch);
    w.uint(seq);
    if let Some(base) = base {
        w.uint(base);
    }
    w
}

fn write_strings(w: &mut Writer, first: usize, added: &[String]) {
    w.section(tag::STRINGS, |w| {
        w.uint(first as u64);
        w.uint(added.len() as u64);
        for s in added {
            w.bytes(s.as_bytes());
        }
    });
}

fn write_table<R>(
    w: &mut Writer,
    section: u8,
    table: &Table<R>,
    change: &Change,
    intern: &mut Intern,
    write: impl Fn(&mut Writer, &R, &mut Intern),
) {
    w.section(section, |w| {
        w.uint(table.objects.len() as u64);
        w.uint(change.removed.len() as u64);
        for &s in &change.removed {
            w.uint(s.into());
        }
        let upserted: Vec<(u32, &R)> = change
            .upserted
            .iter()
            .filter_map(|&s| Some((s, table.objects.get(s as usize)?.as_ref()?)))
            .collect();
        w.uint(upserted.len() as u64);
        for (s, object) in upserted {
            w.uint(s.into());
            write(w, object, intern);
        }
    });
}

fn write_usage(w: &mut Writer, cells: &[Cells], change: &Change, flags: u8) {
    usage::write_columns(
        w,
        |slot| {
            if change.fresh.get(slot).copied().unwrap_or(true) {
                &EMPTY
            } else {
                change.before.get(slot).unwrap_or(&EMPTY)
            }
        },
        cells,
        flags,
    );
}
