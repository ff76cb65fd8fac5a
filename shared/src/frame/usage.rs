//! Usage columns: per slot, each value as 0 for "none" or the value plus one, sent column
//! after column as the difference from the previous frame's cell. Unchanged cells are zero
//! bytes in a row, which compress to almost nothing.

use super::FrameError;
use super::bytes::{Reader, Writer, unzigzag, zigzag};
use super::{cpu_from_wire, cpu_to_wire, mem_from_wire, mem_to_wire};
use crate::api::{CpuMem, Io, NodeRow, PodRow, SampleTime, SourceStatus, Stall, Usage};

/// Columns of a node or a pod: CPU, memory, sample time, window, then network and disk, then
/// CPU, memory and I/O stalls.
pub const COLUMNS: usize = 11;
/// The first I/O column; I/O columns travel only while the source measures I/O.
const IO_FROM: usize = 4;
/// The first stall column; stall columns travel only while the source measures PSI.
const STALL_FROM: usize = 8;
/// The section's flag for "I/O columns follow".
const HAS_IO: u8 = 1;
/// The section's flag for "stall columns follow".
const HAS_PSI: u8 = 2;

/// Which optional columns a frame carries, as the section's flags.
pub fn flags(source: &SourceStatus) -> u8 {
    (if source.io { HAS_IO } else { 0 }) | (if source.psi { HAS_PSI } else { 0 })
}

/// The columns present under `flags`, in order.
fn present(flags: u8) -> impl Iterator<Item = usize> {
    (0..COLUMNS).filter(move |&c| {
        c < IO_FROM
            || (c < STALL_FROM && flags & HAS_IO != 0)
            || (c >= STALL_FROM && flags & HAS_PSI != 0)
    })
}

/// One row's cells: 0 for none, else the value plus one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cells {
    /// CPU, memory, time, window, rx, tx, read, write, CPU stall, memory stall, I/O stall.
    pub row: [u64; COLUMNS],
    /// CPU and memory per container, for pods with more than one container (else empty).
    pub containers: Vec<[u64; 2]>,
}

fn cell(v: Option<u64>) -> u64 {
    v.map_or(0, |v| v.saturating_add(1))
}

fn value(c: u64) -> Option<u64> {
    c.checked_sub(1)
}

fn io_cells(io: Option<Io>) -> [u64; 4] {
    let io = io.unwrap_or_default();
    [cell(io.rx), cell(io.tx), cell(io.read), cell(io.write)]
}

fn io_value(c: &[u64]) -> Option<Io> {
    let io = Io {
        rx: value(c[0]),
        tx: value(c[1]),
        read: value(c[2]),
        write: value(c[3]),
    };
    (io != Io::default()).then_some(io)
}

fn stall_cells(s: Option<Stall>) -> [u64; 3] {
    let s = s.unwrap_or_default();
    [cell(s.cpu), cell(s.memory), cell(s.io)]
}

/// Pressure stalls from a row's cells.
pub fn stall(c: &Cells) -> Option<Stall> {
    let r = &c.row;
    let s = Stall {
        cpu: value(r[STALL_FROM]),
        memory: value(r[STALL_FROM + 1]),
        io: value(r[STALL_FROM + 2]),
    };
    (s != Stall::default()).then_some(s)
}

/// A node's cells; its usage is exact.
pub fn node_cells(n: &NodeRow) -> Cells {
    let u = n.usage;
    let [rx, tx, read, write] = io_cells(n.io);
    let [stall_cpu, stall_mem, stall_io] = stall_cells(n.stall);
    Cells {
        row: [
            cell(u.map(|u| u.value.cpu)),
            cell(u.map(|u| u.value.mem)),
            cell(u.map(|u| zigzag(u.ts_ms))),
            cell(u.map(|u| u.window_ms)),
            rx,
            tx,
            read,
            write,
            stall_cpu,
            stall_mem,
            stall_io,
        ],
        containers: Vec::new(),
    }
}

/// Fills `n`'s usage from `c`.
pub fn fill_node(n: &mut NodeRow, c: &Cells) {
    n.usage = node_usage(c);
    n.io = io(c);
    n.stall = stall(c);
}

/// A node's usage from its cells.
pub fn node_usage(c: &Cells) -> Option<Usage> {
    let r = &c.row;
    match (value(r[0]), value(r[1]), value(r[2]), value(r[3])) {
        (Some(cpu), Some(mem), Some(ts), Some(window_ms)) => Some(Usage {
            value: CpuMem { cpu, mem },
            ts_ms: unzigzag(ts),
            window_ms,
        }),
        _ => None,
    }
}

/// A pod's cells: its total at `kubectl top`'s precision, and per container when it has
/// more than one.
pub fn pod_cells(p: &PodRow) -> Cells {
    let total = p.usage();
    let [rx, tx, read, write] = io_cells(p.io);
    let [stall_cpu, stall_mem, stall_io] = stall_cells(p.stall);
    let containers = if p.containers.len() > 1 {
        p.containers
            .iter()
            .map(|c| {
                [
                    cell(c.usage.map(|u| cpu_to_wire(u.cpu))),
                    cell(c.usage.map(|u| mem_to_wire(u.mem))),
                ]
            })
            .collect()
    } else {
        Vec::new()
    };
    Cells {
        row: [
            cell(total.map(|u| cpu_to_wire(u.cpu))),
            cell(total.map(|u| mem_to_wire(u.mem))),
            cell(p.sample.map(|s| zigzag(s.ts_ms))),
            cell(p.sample.map(|s| s.window_ms)),
            rx,
            tx,
            read,
            write,
            stall_cpu,
            stall_mem,
            stall_io,
        ],
        containers,
    }
}

/// A pod's total usage from its cells.
pub fn pod_total(c: &Cells) -> Option<CpuMem> {
    Some(CpuMem {
        cpu: cpu_from_wire(value(c.row[0])?),
        mem: mem_from_wire(value(c.row[1])?),
    })
}

/// Fills `p`'s sample, I/O and container usage from `c`.
pub fn fill_pod(p: &mut PodRow, c: &Cells) {
    let r = &c.row;
    p.sample = match (value(r[2]), value(r[3])) {
        (Some(ts), Some(window_ms)) => Some(SampleTime {
            ts_ms: unzigzag(ts),
            window_ms,
        }),
        _ => None,
    };
    p.io = io(c);
    p.stall = stall(c);
    if let [only] = p.containers.as_mut_slice() {
        only.usage = pod_total(c);
    } else {
        for (container, usage) in p.containers.iter_mut().zip(container_usage(c)) {
            container.usage = usage;
        }
    }
}

/// Network and disk throughput from a row's cells.
pub fn io(c: &Cells) -> Option<Io> {
    io_value(&c.row[IO_FROM..STALL_FROM])
}

/// Usage per container, for pods with more than one (else nothing).
pub fn container_usage(c: &Cells) -> impl Iterator<Item = Option<CpuMem>> + '_ {
    c.containers.iter().map(container_cells)
}

/// One container's usage from its two cells.
pub fn container_cells(cells: &[u64; 2]) -> Option<CpuMem> {
    Some(CpuMem {
        cpu: cpu_from_wire(value(cells[0])?),
        mem: mem_from_wire(value(cells[1])?),
    })
}

/// No usage at all: the previous cells of a slot that is new, freed or changed hands.
pub static EMPTY: Cells = Cells {
    row: [0; COLUMNS],
    containers: Vec::new(),
};

/// Writes the section body: `cur` against `prev(slot)`.
pub fn write_columns<'a>(
    w: &mut Writer,
    prev: impl Fn(usize) -> &'a Cells,
    cur: &[Cells],
    flags: u8,
) {
    w.byte(flags);
    for col in present(flags) {
        for (slot, c) in cur.iter().enumerate() {
            w.int(c.row[col].wrapping_sub(prev(slot).row[col]) as i64);
        }
    }
    let none = [0u64; 2];
    for col in 0..2 {
        for (slot, c) in cur.iter().enumerate() {
            let p = prev(slot);
            for (i, cells) in c.containers.iter().enumerate() {
                let before = p.containers.get(i).unwrap_or(&none);
                w.int(cells[col].wrapping_sub(before[col]) as i64);
            }
        }
    }
}

/// Reads a section body written by [`write_columns`]: the new cells of `containers.len()`
/// slots (each slot's container count), against the cells `held` before, except where
/// `fresh` (a slot new, freed or given another object), which starts from nothing.
pub fn read_columns(
    r: &mut Reader,
    held: &[Cells],
    fresh: &[bool],
    containers: &[usize],
) -> Result<Vec<Cells>, FrameError> {
    let prev = |slot: usize| -> &Cells {
        if fresh[slot] {
            &EMPTY
        } else {
            held.get(slot).unwrap_or(&EMPTY)
        }
    };
    let flags = r.byte()?;
    if flags & !(HAS_IO | HAS_PSI) != 0 {
        return Err(FrameError::Malformed("usage flags out of range"));
    }
    let columns = present(flags).count();
    // Every slot takes at least a byte per column: a frame too short for its slots is
    // refused before anything is allocated for them.
    if containers.len().saturating_mul(columns) > r.remaining() {
        return Err(FrameError::Truncated);
    }
    let mut cur: Vec<Cells> = containers
        .iter()
        .enumerate()
        .map(|(slot, &n)| Cells {
            row: [0; COLUMNS],
            containers: if n > 1 {
                let p = prev(slot);
                (0..n)
                    .map(|i| p.containers.get(i).copied().unwrap_or_default())
                    .collect()
            } else {
                Vec::new()
            },
        })
        .collect();
    for col in present(flags) {
        for (slot, c) in cur.iter_mut().enumerate() {
            c.row[col] = prev(slot).row[col].wrapping_add(r.int()? as u64);
        }
    }
    for col in 0..2 {
        for c in cur.iter_mut() {
            for cells in c.containers.iter_mut() {
                cells[col] = cells[col].wrapping_add(r.int()? as u64);
            }
        }
    }
    Ok(cur)
}

/// `cells` with only the columns `flags` carries: a source that measures no I/O or PSI has
/// none to send.
pub fn masked(mut cells: Cells, flags: u8) -> Cells {
    for col in IO_FROM..COLUMNS {
        if !present(flags).any(|c| c == col) {
            cells.row[col] = 0;
        }
    }
    cells
}
