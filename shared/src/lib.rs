//! Shared by the ktop-web proxy and its browser app: the wire contract, the ring buffer
//! that holds metric history, and Kubernetes quantity and duration parsing.

pub mod api;
pub mod decode;
pub mod detail;
pub mod duration;
pub mod format;
pub mod frame;
pub mod history;
pub mod quantity;
pub mod quota;
pub mod ring;
mod wire_decode;

pub use ring::RingBuffer;
