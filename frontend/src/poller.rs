//! Fetches the context list, then follows the shown context's frames: each request is
//! answered when the server has a newer snapshot (at most a refresh interval later).
//!
//! Failures keep the last data and history on screen and are retried on the same schedule.

use std::sync::Arc;
use std::time::Duration;

use gloo_timers::future::sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api_client::{FrameReply, fetch_contexts, fetch_frame};
use crate::clock::now_ms;
use crate::dataset::Dataset;
use crate::frame_store::FrameStore;
use crate::saved_history;
use crate::staleness::{gap_before, snapshot_usage_is_stale};
use crate::state::AppState;
use crate::store::History;

/// Poll interval until the server has said what it is.
const DEFAULT_REFRESH_MS: u64 = 2_000;
/// Bounds on the server's interval, so a bad value neither floods nor freezes the page.
const MIN_REFRESH_MS: u64 = 250;
const MAX_REFRESH_MS: u64 = 60_000;

/// The server's refresh interval within those bounds: how often anything that follows the
/// snapshots (the poll itself, a label selection) reads again.
pub fn refresh_interval(server_ms: u64) -> u64 {
    server_ms.clamp(MIN_REFRESH_MS, MAX_REFRESH_MS)
}

/// How often the page's clock ticks, so data that stops arriving is called stale in time.
const TICK_MS: u64 = 1_000;

/// Starts loading: contexts first, then one polling loop for whichever context is shown.
pub fn start(state: AppState) {
    spawn_local(load_contexts(state));
    spawn_local(async move {
        loop {
            sleep(Duration::from_millis(TICK_MS)).await;
            state.now_ms.set(now_ms());
        }
    });
    saved_history::save_on_leave(state);
    // Each context change starts a new loop; older loops see the generation move on and stop.
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        if let Some(context) = state.context.get() {
            // Another cluster's numbers must not pass for this one's while it loads.
            let other = state
                .data
                .with_untracked(|d| d.as_ref().is_some_and(|d| d.cluster.context != context));
            if other {
                state.data.set(None);
                state.error.set(None);
            }
            generation.update_value(|g| *g += 1);
            let mine = generation.get_value();
            let current = move || generation.try_get_value() == Some(mine);
            spawn_local(poll(state, context, current));
        }
    });
}

async fn load_contexts(state: AppState) {
    loop {
        match fetch_contexts().await {
            Ok(list) => {
                if state.context.get_untracked().is_none() {
                    state.context.set(Some(list.current.clone()));
                }
                state.contexts.set(Some(list));
                clear_error(state);
                return;
            }
            Err(err) => {
                state.error.set(Some(err));
                sleep(Duration::from_millis(DEFAULT_REFRESH_MS)).await;
            }
        }
    }
}

async fn poll(state: AppState, context: String, current: impl Fn() -> bool) {
    let mut frames = FrameStore::default();
    let mut refresh_ms = DEFAULT_REFRESH_MS;
    loop {
        let started = now_ms();
        let result = fetch_frame(&context, frames.position()).await;
        if !current() {
            return;
        }
        // The server holds a request until there is something new, so the next is sent at
        // once; failures are retried on the refresh rhythm.
        let mut pause = MIN_REFRESH_MS;
        match result {
            Ok(FrameReply::Frame {
                bytes,
                taken_after_request_ms,
            }) => match frames.apply(&bytes) {
                Ok(data) => {
                    refresh_ms = refresh_interval(data.cluster.refresh_ms);
                    // The server counted from the request's arrival, which is no earlier
                    // than `started`: the snapshot is no older than this.
                    let taken = started.saturating_add(taken_after_request_ms).min(now_ms());
                    apply(state, data, taken);
                }
                // Emptied: the next request asks for a full frame.
                Err(err) => state.error.set(Some(err)),
            },
            Ok(FrameReply::NothingNew) => {}
            Err(err) => {
                state.error.set(Some(err));
                pause = refresh_ms;
            }
        }
        let elapsed = u64::try_from(now_ms() - started).unwrap_or(0);
        sleep(Duration::from_millis(pause.saturating_sub(elapsed))).await;
        if !current() {
            return;
        }
    }
}

/// Records a successful refresh: history first, then the data every view reads. Usage the
/// server calls stale is not charted, and refreshes that never arrived leave a gap, so a
/// chart never draws a flat line through a time nobody measured.
fn apply(state: AppState, data: Dataset, taken_ms: i64) {
    let stale_usage = snapshot_usage_is_stale(&data);
    // Workloads and namespaces are summed, and their history kept, while a view shows them:
    // the last refresh's view asked for them.
    let groups = state
        .data
        .with_untracked(|d| d.as_ref().is_some_and(|d| d.has_groups()));
    state.history.update(|history| {
        if history.context() != Some(data.cluster.context.as_str()) {
            history.reset(&data.cluster.context);
            let window_ms = (history.capacity() as u64).saturating_mul(data.cluster.refresh_ms);
            let since = data.taken_at_ms.saturating_sub_unsigned(window_ms);
            if let Some(saved) =
                saved_history::load(&data.cluster.context, history.capacity(), since)
            {
                *history = saved;
            }
        }
        if untrack(|| state.history_override()).is_none() {
            history.set_capacity(data.cluster.history as usize);
        }
        // The same snapshot twice (a slow server) must not add a point twice.
        let last = history.times().last().copied();
        if last != Some(data.taken_at_ms) {
            if let Some(at) = gap_before(last, data.taken_at_ms, data.cluster.refresh_ms) {
                record(history, &data, at, false, groups);
            }
            record(history, &data, data.taken_at_ms, !stale_usage, groups);
        }
    });
    state.data.set(Some(Arc::new(data)));
    state.taken_ms.set(Some(taken_ms));
    clear_error(state);
}

/// One point for every series at `at_ms`: the snapshot's numbers, or gaps for usage when
/// `measured` is false.
fn record(history: &mut History, data: &Dataset, at_ms: i64, measured: bool, groups: bool) {
    let mut cluster = data.cluster_point();
    if !measured {
        cluster.usage = None;
    }
    let keep = |usage, io| if measured { (usage, io) } else { (None, None) };
    history.record(
        at_ms,
        cluster,
        data.nodes.iter().map(|n| {
            let (u, i) = keep(n.usage, n.io);
            (n.slot, &n.name, u, i)
        }),
        data.pods.iter().map(|p| {
            let (u, i) = keep(p.usage, p.io);
            (p.slot, &p.key, u, i)
        }),
    );
    if !groups {
        return;
    }
    // A group's place in this refresh's rows stands in for a slot.
    let g = data.groups();
    history.record_groups(
        g.workloads
            .iter()
            .chain(&g.namespaces)
            .enumerate()
            .map(|(at, g)| (at as u32, &g.key, keep(g.usage, None).0, None)),
    );
}

fn clear_error(state: AppState) {
    if state.error.with_untracked(Option::is_some) {
        state.error.set(None);
    }
}
