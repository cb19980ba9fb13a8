//! What a task is, to its users: its [`TaskId`], and the [`JoinError`] its
//! handle gives when it has no output. Read this after `wheel.rs`; it uses
//! nothing before it.
//!
//! A task is what the loop schedules, as a thread is what an OS schedules,
//! except that it gives the CPU back only when its future returns `Pending`:
//! cooperative, not preemptive. Its future becomes an [`Outcome`]: its
//! output, or the panic it raised, or "cancelled". `raw.rs`, next, is how
//! one allocation holds all of it.

use alloc::boxed::Box;
use core::any::Any;
use core::fmt;

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

/// Drops `value`, ignoring a panic in its destructor: for what nobody is
/// left to report to.
pub(crate) fn drop_quietly<T>(value: T) {
    let _ = catching_panics(move || drop(value));
}

/// Runs `f`, turning a panic into a [`JoinError`]. Without `std` there is
/// no unwinding: a panic aborts.
pub(crate) fn catching_panics(f: impl FnOnce()) -> Result<(), JoinError> {
    #[cfg(feature = "std")]
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    #[cfg(not(feature = "std"))]
    let caught: Result<(), Box<dyn Any + Send>> = {
        f();
        Ok(())
    };
    caught.map_err(JoinError::panicked)
}
