//! `sync`: plain sequential code on the main thread.
//!
//! The article's first section: one thing after another, the CPU idle while
//! the main thread sleeps. It also runs the sort on one thread, the baseline
//! every speed-up is measured against.

use super::Backend;
use crate::sort::Strategy;

/// The `sync` backend.
pub fn backend() -> Backend {
    Backend::new("sync", "plain sequential code on the main thread")
        .with_sequential()
        .with_io()
        .with_sort(Strategy::Sequential)
}
