//! A task's body: its future, and then its outcome, in one allocation.
//!
//! Part of `task.rs`. A spawned future is boxed once, as a [`Stage`]: first
//! `Running` (the future itself), then `Finished` (its output, or the panic
//! it raised), in the same box. The registry keeps a finished body until
//! the task's `JoinHandle` takes the outcome out, so a task needs no
//! separate "join slot" shared with its handle: two allocations per task
//! instead of three (see `task.rs`), and spawning spends less time in the
//! allocator, its largest single cost.
//!
//! The registry holds bodies of every future type side by side, so it sees
//! them through the [`Body`] trait, whose outcome travels as `dyn Any` and
//! is downcast by the handle, which knows the output type.
//!
//! Polling the future inside the enum needs a pinned projection, which safe
//! Rust cannot write by hand; `pin_project_lite` writes it, checked.

use crate::task::JoinError;
use core::any::Any;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// What the registry knows of a task's future: poll it, and once it is
/// finished, hand its outcome over.
pub(crate) trait Body {
    /// Polls the future once; `Ready` means the outcome is stored.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()>;

    /// Moves the stored outcome into `out`, an
    /// `Option<Result<Output, JoinError>>` of the future's output type.
    fn take_outcome(self: Pin<&mut Self>, out: &mut dyn Any);
}

/// What a task's output becomes: the output, or why there is none.
pub(crate) type Outcome<T> = Result<T, JoinError>;

pin_project_lite::pin_project! {
    /// A task's future while it runs, its outcome once it has finished.
    #[project = StageProj]
    pub(crate) enum Stage<F: Future> {
        /// Still running: the spawned future.
        Running {
            #[pin]
            future: F,
        },
        /// Finished: the output or the panic, `None` once the handle took it.
        Finished {
            outcome: Option<Outcome<F::Output>>,
        },
    }
}

impl<F: Future> Stage<F> {
    /// A body for `future`, not yet polled.
    pub(crate) fn new(future: F) -> Self {
        Stage::Running { future }
    }
}

impl<F> Body for Stage<F>
where
    F: Future,
    F::Output: 'static,
{
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let outcome = match self.as_mut().project() {
            StageProj::Running { future } => match poll_catching_panics(future, cx) {
                Poll::Ready(outcome) => outcome,
                Poll::Pending => return Poll::Pending,
            },
            StageProj::Finished { .. } => unreachable!("a finished task is never polled"),
        };
        // Dropping the future now, not when the handle collects the output,
        // releases what it held (timers, locks, memory) at once.
        self.set(Stage::Finished {
            outcome: Some(outcome),
        });
        Poll::Ready(())
    }

    fn take_outcome(self: Pin<&mut Self>, out: &mut dyn Any) {
        let StageProj::Finished { outcome } = self.project() else {
            unreachable!("the outcome of a task still running was asked for")
        };
        let out = out
            .downcast_mut::<Option<Outcome<F::Output>>>()
            .expect("a JoinHandle asks for its own task's output type");
        *out = outcome.take();
    }
}

/// Polls `future` once, turning a panic into a [`JoinError`].
#[cfg(feature = "std")]
fn poll_catching_panics<F: Future>(
    future: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<Outcome<F::Output>> {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    // The future is dropped right after a panic and never polled again, so
    // whatever half-updated state it holds cannot be observed.
    match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
        Ok(poll) => poll.map(Ok),
        Err(payload) => Poll::Ready(Err(JoinError::panic(payload))),
    }
}

/// Without `std` there is no unwinding to catch: a panic aborts.
#[cfg(not(feature = "std"))]
fn poll_catching_panics<F: Future>(
    future: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<Outcome<F::Output>> {
    future.poll(cx).map(Ok)
}
