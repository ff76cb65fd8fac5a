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
mod keyboard;
mod layout;
mod local_storage;
mod nodes;
mod overview;
mod pods;
mod poller;
mod route;
mod saved_history;
mod select_options;
mod staleness;
mod state;
mod store;
mod table;
mod threshold;
mod throughput;

fn main() {
    // Panic messages to the browser console (the wasm has no stderr).
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into());
    }));
    embed::take_fragment_token();
    leptos::mount::mount_to_body(app::App);
}
