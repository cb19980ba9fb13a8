//! `processes`: child processes of this same binary, fed over pipes.
//!
//! The article's `multiprocessing` section. It runs only the sort; the
//! process pool itself lives with the sort (`src/sort/`), which starts
//! `concur sort-worker` children and measures the cost of moving data to them.

use super::Backend;
use crate::sort::Strategy;

/// The `processes` backend.
pub fn backend() -> Backend {
    Backend::new(
        "processes",
        "child processes of this binary, over pipes (CPU-bound work)",
    )
    .with_sort(Strategy::Processes)
}
