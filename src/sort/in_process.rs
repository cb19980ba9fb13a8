//! The strategies that sort inside this process: one thread, rayon, scoped
//! threads, and minirt's event loop.
//!
//! `sort.rs` picks one of these (or the process pool in `pool.rs`) and
//! times it. Each takes every list, sorts each with
//! [`merge_sort`], and returns how many threads
//! did the work. They differ only in who runs which list, which is the
//! whole point: the sort is identical, so the times show the cost and the
//! gain of each way of running it.

use super::merge::merge_sort;
use anyhow::{anyhow, Result};
use rayon::prelude::*;
use std::sync::Mutex;
use std::thread;

/// Sorts every list on the calling thread, one after another: the
/// article's synchronous version, and the baseline for every speedup.
pub(crate) fn sequential(lists: &mut [Vec<i64>]) -> usize {
    for list in lists {
        merge_sort(list);
    }
    1
}

/// Sorts the lists on rayon's global pool, which starts one thread per core
/// and balances the lists between them by work stealing.
pub(crate) fn rayon(lists: &mut [Vec<i64>]) -> usize {
    lists.par_iter_mut().for_each(|list| merge_sort(list));
    rayon::current_num_threads()
}

/// Sorts the lists on `workers` plain `std` threads, which take the next
/// unsorted list from a shared queue until none is left.
///
/// Every list is the same work, so a static split (half the lists each)
/// looks enough; but a core is not always free for the whole run, and a
/// thread whose core was taken for a moment would leave the other idle at
/// the end. Taking lists one at a time balances that, as rayon's work
/// stealing does, at the cost of one uncontended lock per list.
/// `thread::scope` lets the threads borrow the lists instead of taking
/// ownership, and joins them all before returning.
pub(crate) fn scoped_threads(lists: &mut [Vec<i64>], workers: usize) -> usize {
    let threads = workers.max(1).min(lists.len());
    let queue = Mutex::new(lists.iter_mut());
    // The lock is released before the sort: `next()` is the whole critical
    // section. A poisoned lock means another worker panicked; stop quietly
    // and let the scope re-raise that panic.
    let next = || queue.lock().ok()?.next();
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while let Some(list) = next() {
                    merge_sort(list);
                }
            });
        }
    });
    threads
}

/// Sorts each list in its own task on minirt's single-threaded loop.
///
/// This is the article's point about asyncio made concrete: a task that
/// never awaits runs to completion once polled, so the loop runs the sorts
/// one after another on one thread, as [`sequential`] does, plus the cost
/// of the tasks. Async buys concurrency while waiting, never parallelism
/// for CPU work.
///
/// The lists move into the tasks and back out, because a spawned task must
/// own what it uses (it may outlive any borrow).
///
/// # Errors
/// Fails if a task ended without returning its list (it panicked or was
/// aborted).
pub(crate) fn minirt(lists: &mut Vec<Vec<i64>>) -> Result<usize> {
    let owned = std::mem::take(lists);
    let results = minirt::block_on(async move {
        let handles = owned.into_iter().map(|mut list| {
            minirt::spawn(async move {
                merge_sort(&mut list);
                list
            })
        });
        minirt::join_all(handles).await
    });
    for (index, result) in results.into_iter().enumerate() {
        let list = result
            .map_err(|error| anyhow!("the minirt task sorting list {index} failed: {error}"))?;
        lists.push(list);
    }
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::{minirt, rayon, scoped_threads, sequential};
    use crate::sort::input::generate;

    /// The lists every test sorts, and the answer, from std's sort.
    fn input_and_expected() -> (Vec<Vec<i64>>, Vec<Vec<i64>>) {
        let input = generate(7, 300, 3);
        let mut expected = input.clone();
        expected.iter_mut().for_each(|list| list.sort());
        (input, expected)
    }

    /// Every in-process strategy sorts every list, and reports its threads.
    #[test]
    fn every_strategy_sorts_every_list() {
        let (input, expected) = input_and_expected();

        let mut lists = input.clone();
        assert_eq!(sequential(&mut lists), 1);
        assert_eq!(lists, expected);

        let mut lists = input.clone();
        assert!(rayon(&mut lists) >= 1);
        assert_eq!(lists, expected);

        let mut lists = input.clone();
        assert_eq!(minirt(&mut lists).unwrap(), 1);
        assert_eq!(lists, expected);

        // 7 lists on 3 threads, taken one at a time.
        let mut lists = input;
        assert_eq!(scoped_threads(&mut lists, 3), 3);
        assert_eq!(lists, expected);
    }

    /// More threads than lists uses one thread per list; none uses none.
    #[test]
    fn scoped_threads_never_spawns_idle_threads() {
        let (mut lists, expected) = input_and_expected();
        assert_eq!(scoped_threads(&mut lists, 64), 7);
        assert_eq!(lists, expected);
        assert_eq!(scoped_threads(&mut [], 4), 0);
    }
}
