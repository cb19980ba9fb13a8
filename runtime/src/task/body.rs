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

    /// Drops the future of a task that will never finish (aborted, or its
    /// runtime dropped) and stores "cancelled" as its outcome, or the panic
    /// if the future's destructor panicked.
    fn cancel(self: Pin<&mut Self>);

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
        // releases what it held (timers, locks, memory) at once. A panic in
        // its destructor is the task's panic, as one in its poll would be;
        // the output it had made is then dropped too.
        let outcome = match drop_future(self.as_mut()) {
            Ok(()) => outcome,
            Err(panic) => {
                drop_quietly(outcome);
                Err(panic)
            }
        };
        self.set_outcome(outcome);
        Poll::Ready(())
    }

    fn cancel(mut self: Pin<&mut Self>) {
        let outcome = drop_future(self.as_mut()).and(Err(JoinError::cancelled()));
        self.set_outcome(outcome);
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

impl<F: Future> Stage<F> {
    /// Stores the outcome in a body whose future is gone.
    fn set_outcome(self: Pin<&mut Self>, outcome: Outcome<F::Output>) {
        let StageProj::Finished { outcome: slot } = self.project() else {
            unreachable!("the future is dropped before the outcome is stored")
        };
        *slot = Some(outcome);
    }
}

/// Drops the body's future (a finished body stays as it is), catching a
/// panic in its destructor.
fn drop_future<F: Future>(mut stage: Pin<&mut Stage<F>>) -> Result<(), JoinError> {
    if matches!(*stage, Stage::Finished { .. }) {
        return Ok(());
    }
    // If the destructor panics, the new value is in place all the same: an
    // assignment's unwinding path stores it.
    catching_panics(|| stage.set(Stage::Finished { outcome: None }))
}

/// Drops `value`, ignoring a panic in its destructor: for an output or a
/// task nobody is left to report to.
pub(crate) fn drop_quietly<T>(value: T) {
    let _ = catching_panics(move || drop(value));
}

/// Runs `f`, turning a panic into a [`JoinError`].
#[cfg(feature = "std")]
fn catching_panics(f: impl FnOnce()) -> Result<(), JoinError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(JoinError::panic)
}

/// Without `std` there is no unwinding to catch: a panic aborts.
#[cfg(not(feature = "std"))]
fn catching_panics(f: impl FnOnce()) -> Result<(), JoinError> {
    f();
    Ok(())
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
