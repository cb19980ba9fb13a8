//! Time as tasks see it: [`Instant`], [`sleep`], [`sleep_until`], [`timeout`].
//!
//! Read this after `time/wheel.rs`. A [`Sleep`] is a future that files one
//! timer in its runtime's wheel the first time it is polled, and is
//! ready once the loop has advanced the queue past its deadline. Dropping it
//! cancels the timer (in O(1) on the wheel), so an abandoned sleep (a lost
//! `timeout` race, an aborted task) never keeps the loop awake.
//!
//! Time is the runtime's clock, not the OS's: on a virtual clock an `Instant`
//! is virtual too, which is what lets the tests assert exact timelines.

use crate::executor::Core;
use alloc::rc::Rc;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
#[cfg(feature = "std")]
use core::time::Duration;

pub(crate) mod clock;
mod instant;
#[cfg(feature = "timer-queues")]
pub mod queue;
mod wheel;

pub use instant::Instant;
pub(crate) use instant::{deadline_tick, now_tick};
#[cfg(feature = "timer-queues")]
use queue::TimerQueue;
pub use wheel::{TimerKey, Wheel};

/// Where the loop keeps its timers: the wheel. With the `timer-queues`
/// feature, whichever queue the builder chose (the one place the choice
/// shows, as embassy picks its run queue with a type alias).
#[cfg(not(feature = "timer-queues"))]
pub(crate) type Timers = Wheel<Timer>;
/// Where the loop keeps its timers: the queue the builder chose.
#[cfg(feature = "timer-queues")]
pub(crate) type Timers = queue::AnyQueue<Timer>;

/// What the timer queue holds for each armed timer.
pub(crate) struct Timer {
    /// Whom to wake.
    pub(crate) waker: core::task::Waker,
    /// The task that armed it, for observers' reports.
    pub(crate) owner: crate::task::TaskKey,
}

/// Waits until `duration` has passed on the runtime's clock.
///
/// Building the future needs no runtime. Made inside one, the duration
/// counts from this call, as tokio's and smol's timers do; made outside
/// (say, as the argument of `Runtime::block_on`), it counts from the first
/// poll, where it finds its runtime. A duration too long for the clock
/// (`Duration::MAX`) sleeps until the clock's last tick: for ever, on a
/// real clock.
///
/// # Panics
///
/// When polled outside a runtime.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// minirt::block_on(async { minirt::sleep(Duration::from_millis(1)).await });
/// ```
#[cfg(feature = "std")]
pub fn sleep(duration: Duration) -> Sleep {
    match crate::context::try_with(|core| core.clone()) {
        Some(core) => {
            let deadline = Instant::from_clock(core.clock.now()) + duration;
            Sleep::new(core, deadline)
        }
        None => Sleep {
            core: None,
            when: When::After(duration),
            timer: None,
        },
    }
}

/// Waits until `deadline` on the runtime's clock.
///
/// Building the future needs no runtime; it finds one when first polled.
///
/// # Panics
///
/// When polled outside a runtime.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let rt = minirt::Runtime::with_virtual_clock();
/// rt.block_on(async {
///     let deadline = minirt::Instant::now() + Duration::from_secs(2);
///     minirt::sleep_until(deadline).await;
///     assert_eq!(minirt::Instant::now(), deadline);
/// });
/// ```
#[cfg(feature = "std")]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        core: crate::context::try_with(|core| core.clone()),
        when: When::At(deadline),
        timer: None,
    }
}

/// When a [`Sleep`] ends.
#[derive(Clone, Copy, Debug)]
enum When {
    /// At this instant.
    At(Instant),
    /// This long after the first poll (it was made outside a runtime).
    #[cfg_attr(not(feature = "std"), allow(dead_code))] // Only `sleep` makes it.
    After(core::time::Duration),
}

/// The future returned by [`sleep`] and [`sleep_until`].
///
/// Invariant: `timer` is `Some` exactly while a timer for this sleep is
/// armed in the queue (or has just fired, which the stale key reveals).
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    /// The runtime whose timer queue holds the timer, once known.
    core: Option<Rc<Core>>,
    /// When to wake.
    when: When,
    /// The armed timer, once polled.
    timer: Option<TimerKey>,
}

impl Sleep {
    /// A sleep on `core`'s clock; nothing is armed until the first poll.
    pub(crate) fn new(core: Rc<Core>, deadline: Instant) -> Self {
        Sleep {
            core: Some(core),
            when: When::At(deadline),
            timer: None,
        }
    }

    /// When this sleep ends; `None` for a sleep made outside a runtime and
    /// not yet polled, whose duration has not started counting.
    pub fn deadline(&self) -> Option<Instant> {
        match self.when {
            When::At(deadline) => Some(deadline),
            When::After(_) => None,
        }
    }

    /// The runtime and the deadline, found on the first poll if need be.
    fn bind(&mut self) -> (Rc<Core>, Instant) {
        let core = match &self.core {
            Some(core) => core.clone(),
            None => self.core.insert(current_core()).clone(),
        };
        if let When::After(duration) = self.when {
            self.when = When::At(Instant::from_clock(core.clock.now()) + duration);
        }
        let When::At(deadline) = self.when else {
            unreachable!("set just above")
        };
        (core, deadline)
    }
}

/// The runtime a sleep made outside one meets at its first poll.
#[cfg(feature = "std")]
fn current_core() -> Rc<Core> {
    crate::context::with("Sleep::poll", Rc::clone)
}

/// Without `std` there is no current runtime: every sleep is made by
/// `Runtime::sleep`, which knows its runtime.
#[cfg(not(feature = "std"))]
fn current_core() -> Rc<Core> {
    unreachable!("without std, a Sleep always knows its runtime")
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let (core, deadline) = this.bind();
        let mut timers = core.timers.borrow_mut();
        match this.timer {
            // Armed earlier: a key gone stale means the timer fired.
            Some(key) => match timers.payload(key) {
                None => {
                    this.timer = None;
                    Poll::Ready(())
                }
                Some(timer) if timer.waker.will_wake(cx.waker()) => Poll::Pending,
                Some(timer) => {
                    let owner = timer.owner;
                    timers.update(
                        key,
                        Timer {
                            waker: cx.waker().clone(),
                            owner,
                        },
                    );
                    Poll::Pending
                }
            },
            None => {
                let timer = Timer {
                    waker: cx.waker().clone(),
                    owner: core.current.get(),
                };
                match timers.insert(deadline_tick(deadline), timer) {
                    Ok(key) => {
                        this.timer = Some(key);
                        Poll::Pending
                    }
                    // The queue has already passed the deadline.
                    Err(_) => Poll::Ready(()),
                }
            }
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let (Some(key), Some(core)) = (self.timer.take(), &self.core) {
            let cancelled = core.timers.borrow_mut().cancel(key);
            // The waker is dropped after the queue is released.
            drop(cancelled);
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep").field("when", &self.when).finish()
    }
}

/// The error of a [`timeout`] whose time ran out. A unit struct: there is
/// nothing more to say, and the caller still owns nothing it must recover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed;

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl core::error::Error for Elapsed {}

/// Runs `future`, giving up after `duration`: `Err(Elapsed)` then, and the
/// future is dropped. The duration counts as [`sleep`]'s does: from this
/// call inside a runtime, from the first poll outside one.
/// `Duration::MAX` is the usual "no timeout": it never runs out.
///
/// # Panics
///
/// When polled outside a runtime.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let rt = minirt::Runtime::with_virtual_clock();
/// rt.block_on(async {
///     let slow = minirt::sleep(Duration::from_secs(10));
///     assert_eq!(minirt::timeout(Duration::from_secs(1), slow).await, Err(minirt::Elapsed));
///     let quick = async { 5 };
///     assert_eq!(minirt::timeout(Duration::from_secs(1), quick).await, Ok(5));
/// });
/// ```
#[cfg(feature = "std")]
pub fn timeout<F: Future>(
    duration: Duration,
    future: F,
) -> impl Future<Output = Result<F::Output, Elapsed>> {
    let mut expiry = sleep(duration);
    async move {
        let mut future = core::pin::pin!(future);
        core::future::poll_fn(|cx| {
            // The future goes first: if it is ready at the deadline, it wins.
            if let Poll::Ready(output) = future.as_mut().poll(cx) {
                return Poll::Ready(Ok(output));
            }
            Pin::new(&mut expiry).poll(cx).map(|()| Err(Elapsed))
        })
        .await
    }
}

/// Blocks the loop's thread for `duration`, the way a blocking call does:
/// nothing else on the loop runs meanwhile.
///
/// On the system clock this is `std::thread::sleep`. On a virtual clock it
/// moves virtual time forward by `duration` without running anything, which
/// is exactly what a blocking call looks like from the loop: the article's
/// stalled timeline, reproduced to the microsecond.
///
/// # Panics
///
/// Outside a runtime.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let rt = minirt::Runtime::with_virtual_clock();
/// rt.block_on(async {
///     let start = minirt::Instant::now();
///     minirt::time::block_thread_for(Duration::from_secs(3));
///     assert_eq!(start.elapsed(), Duration::from_secs(3));
/// });
/// ```
#[cfg(feature = "std")]
#[track_caller]
pub fn block_thread_for(duration: Duration) {
    crate::context::with("time::block_thread_for", |core| {
        core.clock.block_for(duration)
    });
}
