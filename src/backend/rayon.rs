//! `rayon`: rayon's work-stealing thread pool, for CPU-bound work.
//!
//! It runs only the sort: rayon is built for splitting computation, not for
//! waiting on timers (a sleeping job would hold a worker hostage).

use super::Backend;
use crate::sort::Strategy;

/// The `rayon` backend.
pub fn backend() -> Backend {
    Backend::new("rayon", "rayon's work-stealing pool (CPU-bound work)").with_sort(Strategy::Rayon)
}
