//! [`spawn_blocking`]: the cure for a blocking call inside a task (feature `std`).
//!
//! Read this last. A blocking call (a synchronous sleep, a file read, a heavy
//! computation) inside a task stalls the whole loop, because the loop only
//! gets the thread back when the task returns `Pending`. `spawn_blocking`
//! runs the call on a helper thread instead; the loop keeps running other
//! tasks and is woken, through an ordinary `Waker`, when the result is in.
//!
//! One thread per call keeps this short. A production runtime keeps a pool
//! of such threads, and caps it.

use crate::JoinHandle;
use std::future::poll_fn;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Poll, Waker};
use std::thread;

/// What the helper thread and the waiting task share.
struct Handoff<T> {
    /// The call's result (or panic), once the thread has finished.
    result: Option<thread::Result<T>>,
    /// The waiting task's waker, to call when the result arrives.
    waiter: Option<Waker>,
}

/// Runs `call` on a helper thread; the returned handle resolves, on the
/// loop, to its result. A panic in `call` comes back as a panicked
/// [`JoinError`](crate::JoinError).
///
/// # Panics
///
/// Outside a runtime, or if the OS refuses to start a thread.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let total = minirt::block_on(async {
///     let slow = minirt::spawn_blocking(|| {
///         std::thread::sleep(Duration::from_millis(20)); // blocks a helper, not the loop
///         21
///     });
///     minirt::sleep(Duration::from_millis(1)).await; // the loop keeps going meanwhile
///     slow.await.unwrap() * 2
/// });
/// assert_eq!(total, 42);
/// ```
#[track_caller]
pub fn spawn_blocking<F, T>(call: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let shared = Arc::new(Mutex::new(Handoff {
        result: None,
        waiter: None,
    }));
    let for_thread = shared.clone();
    // Counted until the job's wake is sent: virtual time waits for it.
    let outside = crate::context::with("spawn_blocking", |core| core.queue.outside_work());
    // Spawn the task first: outside a runtime this panics before any thread starts.
    let handle = crate::spawn_named("spawn_blocking", async move {
        let result = poll_fn(|cx| {
            let mut handoff = shared.lock().unwrap_or_else(PoisonError::into_inner);
            match handoff.result.take() {
                Some(result) => Poll::Ready(result),
                None => {
                    handoff.waiter = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await;
        // Re-raise inside the task, so its handle reports a panic.
        result.unwrap_or_else(|payload| resume_unwind(payload))
    });
    thread::Builder::new()
        .name("minirt-blocking".into())
        .spawn(move || {
            let result = catch_unwind(AssertUnwindSafe(call));
            let waiter = {
                let mut handoff = for_thread.lock().unwrap_or_else(PoisonError::into_inner);
                handoff.result = Some(result);
                handoff.waiter.take()
            };
            // Wake outside the lock: the loop may poll at once.
            if let Some(waiter) = waiter {
                waiter.wake();
            }
            drop(outside);
        })
        .expect("minirt::spawn_blocking: the OS refused to start a thread");
    handle
}
