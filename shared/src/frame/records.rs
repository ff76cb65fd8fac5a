//! Node and pod objects in a frame: every field but usage, strings as table indexes. Usage
//! travels in its own columns (`usage.rs`).

use super::FrameError;
use super::bytes::{Reader, Writer};
use crate::api::{
    Condition, ContainerRow, CpuMem, ExtendedResource, NodeRow, PodPhase, PodRow, Readiness,
    Resources, Workload,
};

/// Turns a string into its index in the table, adding it when new.
pub type Intern<'a> = dyn FnMut(&str) -> u64 + 'a;
/// Turns an index back into its string.
pub type Lookup<'a> = dyn Fn(u64) -> Result<String, FrameError> + 'a;

/// A node without its usage.
pub fn node_object(n: &NodeRow) -> NodeRow {
    NodeRow {
        usage: None,
        io: None,
        stall: None,
        ..n.clone()
    }
}

/// A pod without its usage.
pub fn pod_object(p: &PodRow) -> PodRow {
    PodRow {
        sample: None,
        io: None,
        stall: None,
        containers: p
            .containers
            .iter()
            .map(|c| ContainerRow {
                usage: None,
                ..c.clone()
            })
            .collect(),
        ..p.clone()
    }
}

/// Writes `n` (its usage is not written).
pub fn write_node(w: &mut Writer, n: &NodeRow, s: &mut Intern) {
    w.uint(s(&n.name));
    w.uint(n.roles.len() as u64);
    for role in &n.roles {
        w.uint(s(role));
    }
    w.byte(match n.ready {
        Readiness::Ready => 0,
        Readiness::NotReady => 1,
        Readiness::Unknown => 2,
    });
    w.byte(u8::from(n.unschedulable));
    w.uint(n.conditions.len() as u64);
    for c in &n.conditions {
        w.uint(s(&c.kind));
        w.uint(s(&c.status));
        optional_str(w, c.reason.as_deref(), s);
    }
    w.uint(s(&n.kubelet_version));
    w.int(n.created_s);
    for v in [n.capacity, n.allocatable] {
        cpu_mem(w, v);
    }
    w.uint(n.pod_capacity.into());
    w.uint(n.pods.into());
    for v in [n.requests, n.limits] {
        cpu_mem(w, v);
    }
    extended(w, &n.extended_allocatable, s);
    extended(w, &n.extended_requests, s);
}

/// Reads a node written by [`write_node`].
#[allow(clippy::field_reassign_with_default)] // On purpose: see the comment below.
pub fn read_node(r: &mut Reader, s: &Lookup) -> Result<NodeRow, FrameError> {
    // Filled in place: on an error only the one row is dropped, which keeps the reader small
    // in the wasm (a struct literal drops every field read so far at each `?`).
    let mut n = NodeRow::default();
    n.name = read_str(r, s)?;
    n.roles = r.list(|r| read_str(r, s))?;
    n.ready = match r.byte()? {
        0 => Readiness::Ready,
        1 => Readiness::NotReady,
        2 => Readiness::Unknown,
        _ => return Err(FrameError::Malformed("a node readiness out of range")),
    };
    n.unschedulable = r.byte()? != 0;
    n.conditions = r.list(|r| {
        let mut c = Condition::default();
        c.kind = read_str(r, s)?;
        c.status = read_str(r, s)?;
        c.reason = read_optional_str(r, s)?;
        Ok(c)
    })?;
    n.kubelet_version = read_str(r, s)?;
    n.created_s = r.int()?;
    n.capacity = read_cpu_mem(r)?;
    n.allocatable = read_cpu_mem(r)?;
    n.pod_capacity = r.u32()?;
    n.pods = r.u32()?;
    n.requests = read_cpu_mem(r)?;
    n.limits = read_cpu_mem(r)?;
    n.extended_allocatable = read_extended(r, s)?;
    n.extended_requests = read_extended(r, s)?;
    Ok(n)
}

/// Writes `p` (its usage is not written).
pub fn write_pod(w: &mut Writer, p: &PodRow, s: &mut Intern) {
    w.uint(s(&p.ns));
    w.uint(s(&p.name));
    optional_str(w, p.node.as_deref(), s);
    // Readiness rides in the phase's byte: it costs nothing on the wire.
    let phase: u8 = match p.phase {
        PodPhase::Pending => 0,
        PodPhase::Running => 1,
        PodPhase::Succeeded => 2,
        PodPhase::Failed => 3,
        PodPhase::Unknown => 4,
    };
    w.byte(phase | (u8::from(p.ready) << READY_BIT));
    optional_str(w, p.reason.as_deref(), s);
    w.uint(p.restarts.into());
    w.int(p.created_s);
    w.uint(p.containers.len() as u64);
    for c in &p.containers {
        w.uint(s(&c.name));
        resources(w, c.requests);
        resources(w, c.limits);
    }
    resources(w, p.requests);
    resources(w, p.limits);
    match &p.owner {
        None => w.uint(0),
        Some(o) => {
            w.uint(s(&o.kind) + 1);
            w.uint(s(&o.name));
            w.uint(o.desired.map_or(0, |d| u64::from(d) + 1));
        }
    }
    extended(w, &p.extended, s);
}

/// Reads a pod written by [`write_pod`].
#[allow(clippy::field_reassign_with_default)] // On purpose: see the comment below.
pub fn read_pod(r: &mut Reader, s: &Lookup) -> Result<PodRow, FrameError> {
    // Filled in place, as in `read_node`.
    let mut p = PodRow::default();
    p.ns = read_str(r, s)?;
    p.name = read_str(r, s)?;
    p.node = read_optional_str(r, s)?;
    let phase = r.byte()?;
    p.ready = phase >> READY_BIT == 1;
    p.phase = match phase & !(1 << READY_BIT) {
        0 => PodPhase::Pending,
        1 => PodPhase::Running,
        2 => PodPhase::Succeeded,
        3 => PodPhase::Failed,
        4 => PodPhase::Unknown,
        _ => return Err(FrameError::Malformed("a pod phase out of range")),
    };
    p.reason = read_optional_str(r, s)?;
    p.restarts = r.u32()?;
    p.created_s = r.int()?;
    p.containers = r.list(|r| {
        let mut c = ContainerRow::default();
        c.name = read_str(r, s)?;
        c.requests = read_resources(r)?;
        c.limits = read_resources(r)?;
        Ok(c)
    })?;
    p.requests = read_resources(r)?;
    p.limits = read_resources(r)?;
    p.owner = match r.uint()? {
        0 => None,
        kind => {
            let mut o = Workload::default();
            o.kind = s(kind - 1)?;
            o.name = read_str(r, s)?;
            o.desired = match r.uint()? {
                0 => None,
                d => Some(
                    u32::try_from(d - 1)
                        .map_err(|_| FrameError::Malformed("a desired count out of range"))?,
                ),
            };
            Some(o)
        }
    };
    p.extended = read_extended(r, s)?;
    Ok(p)
}

/// The bit of a pod's phase byte that says it is ready.
const READY_BIT: u8 = 3;

/// Extended resources: a count, then name and amount of each.
fn extended(w: &mut Writer, list: &[ExtendedResource], s: &mut Intern) {
    w.uint(list.len() as u64);
    for e in list {
        w.uint(s(&e.name));
        w.uint(e.amount);
    }
}

fn read_extended(r: &mut Reader, s: &Lookup) -> Result<Vec<ExtendedResource>, FrameError> {
    r.list(|r| {
        Ok(ExtendedResource {
            name: read_str(r, s)?,
            amount: r.uint()?,
        })
    })
}

/// 0 for none, else the index plus one.
fn optional_str(w: &mut Writer, v: Option<&str>, s: &mut Intern) {
    w.uint(v.map_or(0, |v| s(v) + 1));
}

/// A string named by its index in the table.
fn read_str(r: &mut Reader, s: &Lookup) -> Result<String, FrameError> {
    s(r.uint()?)
}

fn read_optional_str(r: &mut Reader, s: &Lookup) -> Result<Option<String>, FrameError> {
    match r.uint()? {
        0 => Ok(None),
        i => s(i - 1).map(Some),
    }
}

fn cpu_mem(w: &mut Writer, v: CpuMem) {
    w.uint(v.cpu);
    w.uint(v.mem);
}

fn read_cpu_mem(r: &mut Reader) -> Result<CpuMem, FrameError> {
    Ok(CpuMem {
        cpu: r.uint()?,
        mem: r.uint()?,
    })
}

/// A bit per resource that is set, then the values that are.
fn resources(w: &mut Writer, v: Resources) {
    w.byte(u8::from(v.cpu.is_some()) | (u8::from(v.mem.is_some()) << 1));
    for x in [v.cpu, v.mem].into_iter().flatten() {
        w.uint(x);
    }
}

fn read_resources(r: &mut Reader) -> Result<Resources, FrameError> {
    let set = r.byte()?;
    if set > 3 {
        return Err(FrameError::Malformed("resource flags out of range"));
    }
    let mut read = |bit: u8| -> Result<Option<u64>, FrameError> {
        (set & bit != 0).then(|| r.uint()).transpose()
    };
    Ok(Resources {
        cpu: read(1)?,
        mem: read(2)?,
    })
}
