//! [`join_all`]: spawn many futures and wait for all, `asyncio.gather`.
//!
//! A layer over the core's `spawn` and `JoinHandle`, nothing more.

use crate::JoinHandle;
use alloc::vec::Vec;
use core::future::Future;

/// Spawns every future as a task at once and resolves to their outputs in
/// input order: `asyncio.gather`.
///
/// # Panics
///
/// The returned future re-raises the panic of a task that panicked, and
/// panics if a task was aborted, as `gather` raises.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let rt = minirt::Runtime::with_virtual_clock();
/// let outputs = rt.block_on(async {
///     let start = minirt::Instant::now();
///     let outputs = minirt::join_all((1..=3).rev().map(|s| async move {
///         minirt::sleep(Duration::from_secs(s)).await;
///         s
///     }))
///     .await;
///     assert_eq!(start.elapsed(), Duration::from_secs(3));
///     outputs
/// });
/// assert_eq!(outputs, [3, 2, 1]);
/// ```
pub fn join_all<I>(futures: I) -> impl Future<Output = Vec<<I::Item as Future>::Output>>
where
    I: IntoIterator,
    I::Item: Future<Output: 'static> + 'static,
{
    let handles: Vec<JoinHandle<_>> = futures.into_iter().map(crate::spawn).collect();
    async move {
        let mut outputs = Vec::with_capacity(handles.len());
        for handle in handles {
            let id = handle.id();
            match handle.await {
                Ok(output) => outputs.push(output),
                Err(error) => match error.into_panic() {
                    Some(payload) => std::panic::resume_unwind(payload),
                    None => panic!("join_all: {id} was cancelled"),
                },
            }
        }
        outputs
    }
}
