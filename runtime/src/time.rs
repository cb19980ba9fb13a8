//! Time as tasks see it: [`sleep`], [`sleep_until`], [`timeout`], and
//! [`Instant::now`], all on the runtime's clock.
//!
//! Read this after `context.rs`. A [`Sleep`] files one timer in its
//! runtime's wheel when first polled, and is ready once the loop has turned
//! the wheel past its deadline. Dropping it cancels the timer (O(1) on the
//! wheel), so an abandoned sleep (a lost `timeout` race, an aborted task)
//! never keeps the loop awake. On a virtual clock every instant is virtual
//! too, which is what lets the tests assert exact timelines.

use crate::executor::Core;
use crate::Instant;
use alloc::rc::Rc;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

#[cfg(feature = "timer-queues")]
use crate::queues::TimerQueue;
pub use crate::wheel::{TimerKey, Wheel};

/// Waits until `duration` has passed on the runtime's clock.
///
/// Made inside a runtime, the duration counts from this call, as tokio's
/// and smol's do; made outside (as the argument of `block_on`, say), from
/// the first poll. `Duration::MAX` sleeps until the clock's last tick: for
/// ever, on a real clock. A sleep already due when first polled (a zero
/// duration) still gives the loop one turn, as `asyncio.sleep(0)` does: an
/// `await` on it is a point where another task may run.
///
/// # Panics
///
/// When polled outside a runtime.
#[cfg(feature = "std")]
pub fn sleep(duration: Duration) -> Sleep {
    let core = crate::context::current();
    let when = match &core {
        Some(core) if duration.is_zero() => When::Turn(Instant::from_clock(core.clock.now())),
        Some(core) => When::At(Instant::from_clock(core.clock.now()) + duration),
        None => When::After(duration),
    };
    Sleep {
        core,
        when,
        timer: None,
        yielded: false,
    }
}

/// Waits until `deadline` on the runtime's clock.
///
/// # Panics
///
/// When polled outside a runtime.
#[cfg(feature = "std")]
pub fn sleep_until(deadline: Instant) -> Sleep {
    let core = crate::context::current();
    Sleep {
        core,
        when: When::At(deadline),
        timer: None,
        yielded: false,
    }
}

#[derive(Clone, Copy, Debug)]
enum When {
    At(Instant),
    /// This long after the first poll: the sleep was made outside a runtime.
    #[cfg_attr(not(feature = "std"), allow(dead_code))]
    After(Duration),
    /// Now: a zero-length sleep made inside a runtime, one turn of the
    /// loop and no timer (the wheel may lag the clock after a blocking
    /// call, and a timer would then wait for every other ready task).
    #[cfg_attr(not(feature = "std"), allow(dead_code))]
    Turn(Instant),
}

/// The future returned by [`sleep`] and [`sleep_until`].
///
/// Invariant: `timer` is `Some` exactly while its timer is armed (or has
/// just fired, which its stale key reveals).
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    /// The runtime whose wheel holds the timer, once known.
    core: Option<Rc<Core>>,
    when: When,
    timer: Option<TimerKey>,
    /// Whether a sleep due when first polled has given its one turn.
    yielded: bool,
}

impl Sleep {
    /// A sleep until `deadline` on `core`'s clock.
    pub(crate) fn on(core: Rc<Core>, deadline: Instant) -> Self {
        Sleep {
            core: Some(core),
            when: When::At(deadline),
            timer: None,
            yielded: false,
        }
    }

    /// When this sleep ends; `None` for one made outside a runtime and not
    /// yet polled, whose duration has not started counting.
    pub fn deadline(&self) -> Option<Instant> {
        match self.when {
            When::At(deadline) | When::Turn(deadline) => Some(deadline),
            When::After(_) => None,
        }
    }

    /// The runtime and the deadline, found at the first poll if need be.
    fn bind(&mut self) -> (Rc<Core>, Instant) {
        #[cfg(feature = "std")]
        let core = self
            .core
            .get_or_insert_with(|| crate::context::with("Sleep::poll", Rc::clone));
        // Without `std` every sleep is made by `Runtime::sleep`, which knows it.
        #[cfg(not(feature = "std"))]
        let core = self.core.as_ref().expect("a Sleep knows its runtime");
        let deadline = match self.when {
            When::At(deadline) | When::Turn(deadline) => deadline,
            When::After(duration) => Instant::from_clock(core.clock.now()) + duration,
        };
        if let When::After(_) = self.when {
            self.when = When::At(deadline);
        }
        (core.clone(), deadline)
    }
}

impl Sleep {
    /// A sleep that is due: one turn of the loop, as `asyncio.sleep(0)`
    /// gives, then done.
    fn one_turn(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if core::mem::replace(&mut self.yielded, true) {
            return Poll::Ready(());
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let (core, deadline) = this.bind();
        if let When::Turn(_) = this.when {
            return this.one_turn(cx);
        }
        let mut timers = core.timers.borrow_mut();
        let Some(key) = this.timer else {
            return match timers.insert(deadline.deadline_tick(), cx.waker().clone()) {
                Ok(key) => {
                    this.timer = Some(key);
                    Poll::Pending
                }
                // The wheel already passed the deadline: nothing to arm.
                Err(waker) => {
                    drop(timers); // The waker may run any code: nothing borrowed.
                    drop(waker);
                    this.one_turn(cx)
                }
            };
        };
        // Every timer due by the tick the wheel has reached has fired: a
        // sleep behind it is over, known without a look at its entry (which,
        // among a million, has long left the cache).
        if deadline.deadline_tick() <= timers.reached() {
            this.timer = None;
            return Poll::Ready(());
        }
        match timers.payload(key) {
            None => {
                this.timer = None; // A stale key: the timer fired.
                Poll::Ready(())
            }
            Some(waker) if waker.will_wake(cx.waker()) => Poll::Pending,
            Some(_) => {
                timers.update(key, cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let (Some(key), Some(core)) = (self.timer.take(), &self.core) {
            let cancelled = core.timers.borrow_mut().cancel(key);
            drop(cancelled); // The waker goes once the wheel is released.
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep").field("when", &self.when).finish()
    }
}

/// The error of a [`timeout`] whose time ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed;

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl core::error::Error for Elapsed {}

/// Runs `future`, giving up after `duration` with `Err(Elapsed)`, the
/// future dropped. The duration counts as [`sleep`]'s does;
/// `Duration::MAX` is the usual "no timeout".
///
/// # Panics
///
/// When polled outside a runtime.
#[cfg(feature = "std")]
pub fn timeout<F: Future>(
    duration: Duration,
    future: F,
) -> impl Future<Output = Result<F::Output, Elapsed>> {
    let mut expiry = sleep(duration);
    async move {
        let mut future = core::pin::pin!(future);
        core::future::poll_fn(|cx| {
            // The future goes first: ready at the deadline, it wins.
            if let Poll::Ready(output) = future.as_mut().poll(cx) {
                return Poll::Ready(Ok(output));
            }
            Pin::new(&mut expiry).poll(cx).map(|()| Err(Elapsed))
        })
        .await
    }
}

#[cfg(feature = "std")]
impl Instant {
    /// The current time on the current runtime's clock; outside a runtime,
    /// the system clock's.
    pub fn now() -> Instant {
        let clock = crate::context::current().map(|core| core.clock.now());
        Instant::from_clock(clock.unwrap_or_else(|| crate::Clock::now(&crate::SystemClock)))
    }

    /// Time since this instant (zero if it is in the future).
    pub fn elapsed(&self) -> Duration {
        Instant::now().duration_since(*self)
    }
}
