//! The soak test's model: what each task must do, what it did, and the
//! probes and helpers that watch it.
//!
//! Part of `soak.rs`. A [`Probe`] wraps each spawned future and writes down,
//! from the inside, how the task ended (completed, panicked, or dropped
//! unfinished) and whether it was ever polled after it finished. The test
//! then compares that with what the plan asked for and with what the
//! `JoinHandle` reported. Next: `soak/outside.rs`, the threads around the loop.

use super::outside::WAKER_THREADS;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

/// A small seeded generator (SplitMix64): the same seed, the same soak.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    /// The next 64 random bits.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound`.
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    /// True with probability `percent` in 100.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// One step of a task's plan.
#[derive(Clone, Copy)]
pub(crate) enum Step {
    /// Sleep this long, then check the deadline has passed.
    Sleep(Duration),
    /// Give the loop back once.
    Yield,
    /// Wait for a wake from waker thread `thread`, sent twice if `twice`.
    Remote { thread: usize, twice: bool },
}

/// When the main task aborts a task.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Abort {
    /// Right after spawning it.
    BeforeFirstPoll,
    /// After one pass of the loop: usually mid-way through its plan.
    MidFlight,
    /// After half the longest sleep: often after it finished.
    Late,
}

/// What one task is asked to do.
pub(crate) struct Plan {
    /// Its steps, in order.
    pub(crate) steps: Vec<Step>,
    /// Panic before this step (`steps.len()`: at the end), if at all.
    pub(crate) panic_at: Option<usize>,
    /// Whether and when it is aborted.
    pub(crate) abort: Option<Abort>,
}

impl Plan {
    /// A random plan with sleeps up to `max_sleep`.
    pub(crate) fn random(rng: &mut Rng, max_sleep: Duration) -> Plan {
        let steps = (0..rng.below(4))
            .map(|_| match rng.below(3) {
                // Whole nanoseconds, not whole ticks: rounding a deadline down
                // to a tick would then fire it early, and be caught.
                0 => Step::Sleep(Duration::from_nanos(
                    rng.below(max_sleep.as_nanos() as u64 + 1),
                )),
                1 => Step::Yield,
                _ => Step::Remote {
                    thread: rng.below(WAKER_THREADS as u64) as usize,
                    twice: rng.chance(20),
                },
            })
            .collect::<Vec<_>>();
        let panic_at = rng
            .chance(5)
            .then(|| rng.below(steps.len() as u64 + 1) as usize);
        let abort = rng.chance(10).then(|| match rng.below(3) {
            0 => Abort::BeforeFirstPoll,
            1 => Abort::MidFlight,
            _ => Abort::Late,
        });
        Plan {
            steps,
            panic_at,
            abort,
        }
    }
}

/// How a task ended, as seen from inside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Not ended yet.
    Running,
    /// Its future returned this value.
    Completed(u64),
    /// Its future panicked during a poll.
    Panicked,
    /// It was dropped between polls: aborted, or its runtime shut down.
    Cancelled,
}

/// What one task did, written by its probe.
///
/// Invariants: `outcome` leaves `Running` at most once; `violations`
/// counts every broken promise the probe saw.
pub(crate) struct Seen {
    /// How the task ended.
    pub(crate) outcome: Cell<Outcome>,
    /// Whether the wrapped future is being polled right now (a drop then
    /// means the poll unwound).
    in_poll: Cell<bool>,
    /// Broken promises: a poll after the end, a second ending.
    pub(crate) violations: Cell<u32>,
}

impl Seen {
    /// A task that has not ended.
    pub(crate) fn new() -> Rc<Self> {
        Rc::new(Seen {
            outcome: Cell::new(Outcome::Running),
            in_poll: Cell::new(false),
            violations: Cell::new(0),
        })
    }

    /// Records the end of the task; a second end is a violation.
    fn end(&self, outcome: Outcome) {
        if self.outcome.get() != Outcome::Running {
            self.violations.set(self.violations.get() + 1);
        }
        self.outcome.set(outcome);
    }
}

/// Wraps a task's future and reports to its [`Seen`].
pub(crate) struct Probe<F> {
    /// The task's own future, boxed so the probe is `Unpin` without `unsafe`.
    inner: Pin<Box<F>>,
    /// Where the probe writes.
    seen: Rc<Seen>,
}

impl<F> Probe<F> {
    /// A probe around `inner`, writing to `seen`.
    pub(crate) fn new(inner: F, seen: Rc<Seen>) -> Self {
        Probe {
            inner: Box::pin(inner),
            seen,
        }
    }
}

impl<F: Future<Output = u64>> Future for Probe<F> {
    type Output = u64;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        if self.seen.outcome.get() != Outcome::Running {
            // A poll after the end: the runtime broke its first promise.
            let seen = &self.seen;
            seen.violations.set(seen.violations.get() + 1);
            return Poll::Pending;
        }
        self.seen.in_poll.set(true);
        let poll = self.inner.as_mut().poll(cx);
        self.seen.in_poll.set(false);
        if let Poll::Ready(value) = poll {
            self.seen.end(Outcome::Completed(value));
        }
        poll
    }
}

impl<F> Drop for Probe<F> {
    fn drop(&mut self) {
        if self.seen.outcome.get() == Outcome::Running {
            // Dropped mid-poll means the poll unwound: the task panicked.
            let ended = if self.seen.in_poll.get() {
                Outcome::Panicked
            } else {
                Outcome::Cancelled
            };
            self.seen.end(ended);
        }
    }
}
