//! ktop-web's browser app: a `top` for Kubernetes that polls the ktop-web server and shows
//! nodes and pods with their CPU and memory over time.

mod api_client;
mod app;
mod charts;
mod clock;
mod cluster_summary;
mod dataset;
mod detail;
mod download;
mod embed;
mod fast_hash;
mod frame_store;
mod groups;
mod keyboard;
mod layout;
mod local_storage;
mod markup;
mod nodes;
mod overview;
mod pods;
mod poller;
mod range;
mod route;
mod saved_history;
mod select_options;
mod staleness;
mod state;
mod store;
mod table;
mod threshold;
mod throughput;

/// Talc instead of the default dlmalloc: smaller in the wasm and faster (measured: see the
/// note where the size is checked, `scripts/build-frontend`).
#[cfg(target_family = "wasm")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    // Panic messages to the browser console (the wasm has no stderr).
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into());
    }));
    embed::take_fragment_token();
    leptos::mount::mount_to_body(app::App);
}
