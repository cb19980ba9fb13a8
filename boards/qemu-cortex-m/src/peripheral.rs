//! A peripheral whose interrupt wakes a task, stood in for by the timer.
//!
//! A driver on a board waits for its peripheral like this: the task stores
//! its waker where the interrupt handler can reach it, and the handler
//! wakes it when the event comes. Here the event is "`period` ticks have
//! passed", raised by the SysTick handler, so the run needs no hardware
//! beyond the core's own. The wake goes through minirt's lock-free ready
//! queue from interrupt context, which is the point.

use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use critical_section::Mutex;

/// What the interrupt handler and the waiting task share.
struct Line {
    /// Ticks between events; 0 while stopped.
    period: u64,
    /// The tick of the next event.
    next: u64,
    /// Events raised since [`start`].
    raised: u32,
    /// The waiting task's waker, if a task waits.
    waker: Option<Waker>,
}

/// The one line, behind a critical section: the handler and the task both
/// change it, and one preempts the other.
static LINE: Mutex<RefCell<Line>> = Mutex::new(RefCell::new(Line {
    period: 0,
    next: 0,
    raised: 0,
    waker: None,
}));

/// Raises an event every `period` ticks from now on, counted from 1.
pub(crate) fn start(period: u64) {
    let now = crate::clock::ticks();
    critical_section::with(|cs| {
        let mut line = LINE.borrow_ref_mut(cs);
        line.period = period;
        line.next = now + period;
        line.raised = 0;
    });
}

/// Raises no more events, and forgets the waiting task.
pub(crate) fn stop() {
    let waker = critical_section::with(|cs| {
        let mut line = LINE.borrow_ref_mut(cs);
        line.period = 0;
        line.waker.take()
    });
    // Dropped with interrupts enabled: a waker's drop may free memory.
    drop(waker);
}

/// Raises the event if it is due at tick `now`, and wakes the task that
/// waits for it. Runs in the SysTick handler.
pub(crate) fn on_tick(now: u64) {
    critical_section::with(|cs| {
        let mut line = LINE.borrow_ref_mut(cs);
        if line.period == 0 || now < line.next {
            return;
        }
        line.next += line.period;
        line.raised += 1;
        // By reference: the waker stays for the next event, and nothing is
        // freed in the handler.
        if let Some(waker) = &line.waker {
            waker.wake_by_ref();
        }
    });
}

/// The next event after now: resolves to its number.
pub(crate) fn next_event() -> NextEvent {
    let after = critical_section::with(|cs| LINE.borrow_ref(cs).raised);
    NextEvent { after }
}

/// The future of [`next_event`].
#[must_use = "futures do nothing unless awaited"]
pub(crate) struct NextEvent {
    /// Events raised before this future was made.
    after: u32,
}

impl Future for NextEvent {
    type Output = u32;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        critical_section::with(|cs| {
            let mut line = LINE.borrow_ref_mut(cs);
            if line.raised > self.after {
                return Poll::Ready(line.raised);
            }
            // Checked and stored in one critical section: an event cannot
            // come between the look and the waker being in place.
            let stale = line.waker.as_ref().is_none_or(|w| !w.will_wake(cx.waker()));
            if stale {
                line.waker = Some(cx.waker().clone());
            }
            Poll::Pending
        })
    }
}
