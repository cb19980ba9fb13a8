//! Scenario 10 and addition A4, `sort`: merge sort of many random lists.
//!
//! CPU-bound work: waiting is not the problem, computing is. The article
//! sorts 1000 lists of 30000 integers on one process (~123 s) and on a
//! process pool (~30 s). We run the same sort (`src/sort.rs`) on one thread,
//! rayon, scoped threads, minirt (one thread: no gain) and real child
//! processes fed over pipes. Every list is checked; the run fails if one is
//! not sorted.

use super::{Ctx, Meta, Outcome, Scenario, SortOptions};
use crate::backend::Backend;
use crate::check::{self, Expected};
use crate::model::Model;
use crate::sort;
use std::time::Duration;

/// Scenario 10 and A4.
pub struct Sort;

/// Its name, section, summary and model: what the command line lists.
pub const META: Meta = Meta {
    name: "sort",
    section: "10, A4",
    about: "CPU-bound: merge sort of many random lists, every list checked",
    model: Model::Cpu,
};

impl Scenario for Sort {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn expected(&self, _unit: Duration) -> Expected {
        // The article gives no timeline for the sort, only two totals from
        // another language on another machine: we check the result instead.
        Expected {
            events: check::events(&[(0.0, "Starting Sorting")]),
            total: None,
            value: None,
        }
    }

    fn run(&self, backend: &Backend, ctx: &Ctx) -> anyhow::Result<Outcome> {
        let strategy = backend.sort()?;
        let SortOptions {
            lists,
            len,
            seed,
            worker_exe,
            ..
        } = ctx.sort.clone();
        ctx.log("Starting Sorting");
        let outcome = match worker_exe {
            Some(exe) => sort::run_with_worker_exe(strategy, lists, len, seed, &exe)?,
            None => sort::run(strategy, lists, len, seed)?,
        };
        ctx.log("Sorting Completed");
        let note = (outcome.bytes_moved > 0).then(|| {
            let kibibytes = outcome.bytes_moved as f64 / 1024.0;
            if kibibytes < 1024.0 {
                format!("{kibibytes:.0} KiB over pipes")
            } else {
                format!("{:.0} MiB over pipes", kibibytes / 1024.0)
            }
        });
        Ok(Outcome {
            value: None,
            wall: Some(outcome.wall),
            cpu: Some(outcome.cpu),
            threads: Some(outcome.workers),
            note,
        })
    }
}
