//! `prometheus`: kubelet and cAdvisor metrics read through the API server's node proxy.
//! Work in progress: the text-format parser and counter rates, not yet a source.

mod counter_rates;
mod node_scrape;
mod scrape_paths;
mod text_format;
