//! What a task is: a spawned future, then its outcome, in one box. Read this
//! after `wheel.rs`; it uses nothing before it.
//!
//! A task is what the loop schedules, as a thread is what an OS schedules,
//! except that it gives the CPU back only when its future returns `Pending`:
//! cooperative, not preemptive. Its box holds a [`Stage`]: `Running` (the
//! future), then `Finished` (its output, or the panic it raised). The loop
//! only asks a body to poll; the join handle, which knows the output type,
//! takes the outcome out through `dyn Any`. `pin_project_lite` writes the
//! pinned projection into the enum, checked, so minirt needs no `unsafe`.

use alloc::boxed::Box;
use core::any::Any;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// A task's identity for people: numbered in spawn order, never reused.
/// The `block_on` future is [`TaskId::MAIN`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(pub(crate) u64);

impl TaskId {
    /// The `block_on` future's id: `task-0`.
    pub const MAIN: TaskId = TaskId(0);
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task-{}", self.0)
    }
}

/// Where a task lives in the registry: slot index (low 32 bits) and the
/// slot's generation (high 32), so a key outliving its task matches nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TaskKey(u64);

impl TaskKey {
    /// The `block_on` future, which lives outside the registry.
    pub(crate) const MAIN: TaskKey = TaskKey(u64::MAX);

    pub(crate) fn new(index: u32, generation: u32) -> Self {
        TaskKey(u64::from(generation) << 32 | u64::from(index))
    }

    pub(crate) fn index(self) -> usize {
        (self.0 & u64::from(u32::MAX)) as usize
    }

    pub(crate) fn generation(self) -> u32 {
        (self.0 >> 32) as u32
    }
}

/// Why a task gave no output: it panicked (with the payload), or it was
/// cancelled. A struct, as tokio's, so the cases can grow.
pub struct JoinError {
    panic: Option<Box<dyn Any + Send>>,
}

impl JoinError {
    pub(crate) fn cancelled() -> Self {
        JoinError { panic: None }
    }

    pub(crate) fn panicked(payload: Box<dyn Any + Send>) -> Self {
        JoinError {
            panic: Some(payload),
        }
    }

    /// Whether the task was aborted, or dropped with its runtime.
    pub fn is_cancelled(&self) -> bool {
        self.panic.is_none()
    }

    /// Whether the task panicked.
    pub fn is_panic(&self) -> bool {
        self.panic.is_some()
    }

    /// The panic payload, for `std::panic::resume_unwind`.
    pub fn into_panic(self) -> Option<Box<dyn Any + Send>> {
        self.panic
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(panic) = &self.panic else {
            return f.write_str("task was cancelled");
        };
        let text = panic.downcast_ref::<&str>().copied();
        let owned = || panic.downcast_ref::<alloc::string::String>();
        match text.or_else(|| owned().map(|s| s.as_str())) {
            Some(message) => write!(f, "task panicked: {message}"),
            None => f.write_str("task panicked"),
        }
    }
}

impl core::error::Error for JoinError {}

/// What a task's future becomes: its output, or why there is none.
pub(crate) type Outcome<T> = Result<T, JoinError>;

/// What the registry knows of a task's body, whatever its future's type.
pub(crate) trait Body {
    /// Polls the future once; `Ready` means the outcome is stored.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()>;

    /// Drops the future of a task that will never finish and stores
    /// "cancelled" (or the panic its destructor raised) as the outcome.
    fn cancel(self: Pin<&mut Self>);

    /// Moves the outcome into `out`, an `Option<Outcome<F::Output>>`.
    fn take_outcome(self: Pin<&mut Self>, out: &mut dyn Any);
}

pin_project_lite::pin_project! {
    /// A task's future while it runs, its outcome once it has finished
    /// (`None` once the handle took it).
    #[project = StageProj]
    pub(crate) enum Stage<F: Future> {
        Running { #[pin] future: F },
        Finished { outcome: Option<Outcome<F::Output>> },
    }
}

impl<F: Future<Output: 'static>> Body for Stage<F> {
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let StageProj::Running { future } = self.as_mut().project() else {
            unreachable!("a finished task is never polled")
        };
        // A panic is the outcome; the future is dropped right after, so its
        // half-updated state is never seen.
        let mut polled = Poll::Pending;
        let outcome = match catching_panics(|| polled = future.poll(cx)) {
            Err(panic) => Err(panic),
            Ok(()) => match polled {
                Poll::Ready(output) => Ok(output),
                Poll::Pending => return Poll::Pending,
            },
        };
        // Dropping the future now, not when the handle collects the output,
        // releases what it held at once. A panic in its destructor is the
        // task's panic; the output is dropped then.
        let outcome = match self.as_mut().drop_future() {
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
        let outcome = self.as_mut().drop_future().and(Err(JoinError::cancelled()));
        self.set_outcome(outcome);
    }

    fn take_outcome(self: Pin<&mut Self>, out: &mut dyn Any) {
        let StageProj::Finished { outcome } = self.project() else {
            unreachable!("the outcome of a running task was asked for")
        };
        let out = out.downcast_mut::<Option<Outcome<F::Output>>>();
        *out.expect("a JoinHandle asks for its own task's output type") = outcome.take();
    }
}

impl<F: Future> Stage<F> {
    /// Drops the future, if still there, catching a panic in its destructor
    /// (the new value is in place all the same: assignment's unwinding path
    /// stores it).
    fn drop_future(mut self: Pin<&mut Self>) -> Result<(), JoinError> {
        if matches!(*self, Stage::Finished { .. }) {
            return Ok(());
        }
        catching_panics(|| self.set(Stage::Finished { outcome: None }))
    }

    fn set_outcome(self: Pin<&mut Self>, outcome: Outcome<F::Output>) {
        if let StageProj::Finished { outcome: slot } = self.project() {
            *slot = Some(outcome);
        }
    }
}

/// Drops `value`, ignoring a panic in its destructor: for what nobody is
/// left to report to.
pub(crate) fn drop_quietly<T>(value: T) {
    let _ = catching_panics(move || drop(value));
}

/// Runs `f`, turning a panic into a [`JoinError`]. Without `std` there is
/// no unwinding: a panic aborts.
fn catching_panics(f: impl FnOnce()) -> Result<(), JoinError> {
    #[cfg(feature = "std")]
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    #[cfg(not(feature = "std"))]
    let caught: Result<(), Box<dyn Any + Send>> = {
        f();
        Ok(())
    };
    caught.map_err(JoinError::panicked)
}
