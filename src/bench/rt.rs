//! The four single-threaded async executors the suites compare, each
//! through its one adapter ([`LocalRuntime`], the same the backends and
//! the examples use), so that each suite is written once and runs the same
//! code on every one of them.
//!
//! The interface is static (a trait with generic methods, no boxing), so a
//! suite pays what the runtime charges for a spawn, a wake or a timer, and
//! nothing for dispatch: smol and tokio run here without the adapter's task
//! count (`block_on_uncounted`), which the suites never ask for. `child.rs` calls [`drive`] with a [`Job`]; the
//! suites are in `tasks.rs`.
//!
//! The four:
//!
//! | name | executor | timers driven by |
//! |---|---|---|
//! | `minirt` | `minirt::Runtime` | its own wheel, on the loop's thread |
//! | `smol` | `LocalExecutor` under `async_io::block_on` | the async-io reactor, on the loop's thread |
//! | `tokio` | current-thread runtime + `LocalSet` | tokio's wheel, on the loop's thread |
//! | `async-executor` | `LocalExecutor` under `futures_lite::future::block_on` | async-io's own helper thread |
//!
//! `minirt-heap` and `minirt-ordered-map` are minirt with its timers in a
//! binary heap or an ordered map instead of its wheel (suite 7's queues).
//!
//! tokio runs its tasks in a `LocalSet` because the suites share state
//! through `Rc` (as a single-threaded program would); `spawn_local` is
//! tokio's way to spawn such tasks on a current-thread runtime.

use crate::backend::adapter::LocalRuntime;
use crate::backend::minirt::MinirtLoop;
use crate::backend::smol::SmolLoop;
use crate::backend::tokio::TokioLoop;
use minirt::TimerQueueKind;
use std::future::Future;

/// The async backends, in the order the tables show them.
pub(crate) const ASYNC_BACKENDS: [&str; 4] = ["minirt", "smol", "tokio", "async-executor"];

/// minirt with its timers in suite 7's other queues instead of the wheel,
/// chosen through `Runtime::builder().timer_queue(..)`: the end-to-end cost
/// of the queue, which the timers suite measures at 1M.
pub(crate) const MINIRT_QUEUE_BACKENDS: [&str; 2] = ["minirt-heap", "minirt-ordered-map"];

/// A suite's body, generic over the executor it runs on.
pub(crate) trait Job {
    /// What the body measured.
    type Output;

    /// Runs the body on `rt`, inside the executor's `block_on`.
    fn run<R: LocalRuntime>(self, rt: R) -> impl Future<Output = Self::Output>;
}

/// Runs `job` on the executor called `backend` (one of [`ASYNC_BACKENDS`]
/// or [`MINIRT_QUEUE_BACKENDS`]); `None` for another name.
pub(crate) fn drive<J: Job>(backend: &str, job: J) -> Option<J::Output> {
    Some(match backend {
        "minirt" | "minirt-heap" | "minirt-ordered-map" => {
            let queue = match backend {
                "minirt-heap" => TimerQueueKind::Heap,
                "minirt-ordered-map" => TimerQueueKind::OrderedMap,
                _ => TimerQueueKind::Wheel,
            };
            let runtime = minirt::Runtime::builder().timer_queue(queue).build();
            MinirtLoop::block_on_runtime(&runtime, |rt| job.run(rt))
        }
        "smol" => SmolLoop::block_on_uncounted(|rt| job.run(rt)),
        "tokio" => TokioLoop::block_on_uncounted(|rt| job.run(rt))
            .expect("a current-thread tokio runtime builds"),
        "async-executor" => SmolLoop::block_on_without_reactor(|rt| job.run(rt)),
        _ => return None,
    })
}
