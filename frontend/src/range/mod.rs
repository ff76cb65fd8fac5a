//! Longer history than the ring buffers hold, read from the server's history source: the
//! `?range=` a page shows, the request for it, and the charts' columns from its answer.

pub mod columns;
pub mod fetch;
pub mod param;
pub mod picker;
pub mod trends;
