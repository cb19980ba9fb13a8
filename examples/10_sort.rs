//! Section 10, "Multiprocessing": merge sort of 1000 lists of 30000 random
//! integers, first on one thread, then on a pool of child processes (this
//! same program, started as workers and fed over pipes), one per core.
//!
//! ```text
//! cargo run --release --example 10_sort              # the article's size
//! cargo run --release --example 10_sort -- 100 30000 # 100 lists of 30000
//! ```

use concur::log::info;
use concur::sort::{self, Strategy};

fn main() -> anyhow::Result<()> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    // The process pool starts this program again, asking it to be a worker.
    if arguments.first().map(String::as_str) == Some(sort::WORKER_SUBCOMMAND) {
        return sort::worker_main();
    }
    let size = |index: usize, default: usize| -> anyhow::Result<usize> {
        arguments
            .get(index)
            .map_or(Ok(default), |text| Ok(text.parse()?))
    };
    let (lists, len) = (size(0, sort::DEFAULT_LISTS)?, size(1, sort::DEFAULT_LEN)?);
    sort::validate_size(lists, len)?;

    println!("Synchronous version");
    info("Starting Sorting");
    let one_thread = sort::run(Strategy::Sequential, lists, len, 1)?;
    info("Sorting Completed");

    println!("Asynchronous version");
    info("Starting Sorting");
    let processes = sort::run(Strategy::Processes, lists, len, 1)?;
    info("Sorting Completed");

    println!(
        "{lists} lists of {len}: {:.2?} on one thread, {:.2?} on {} processes ({:.2}x)",
        one_thread.wall,
        processes.wall,
        processes.workers,
        processes.speedup_over(&one_thread)
    );
    Ok(())
}
