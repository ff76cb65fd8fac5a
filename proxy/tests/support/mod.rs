//! Helpers shared by the integration tests: the real test cluster, a running ktop-web, and
//! headless Chromium. Each test binary uses a subset, hence the allowance.
#![allow(dead_code)]

pub mod audit;
pub mod browser;
pub mod cluster;
pub mod ktop;
pub mod page;
pub mod prometheus;
pub mod top;
