//! The wait: [`IoClock`], the [`Clock`] whose park is the reactor's turn,
//! and [`Notify`], the eventfd that ends it from another thread.
//!
//! Read this after `io/reactor.rs`. The loop parks by calling
//! [`Clock::park`]; this clock answers with one `epoll_wait` that ends at
//! the next timer deadline (to the nanosecond, through the reactor's
//! timerfd: epoll's own timeout counts in milliseconds), at a cross-thread wake (its eventfd becomes readable), or
//! when a socket becomes ready. A wake the reactor dispatches goes straight
//! to the loop's local queue, so the park simply returns after a turn and
//! the loop runs what was woken.
//!
//! With virtual time, the reactor is first polled without blocking; time
//! jumps to the deadline only if that woke no one. So a loopback exchange
//! inside the loop happens at the virtual instant it was written, however
//! long the tasks slept before it, and takes no wall time. I/O from outside
//! the loop (another thread or process that will answer later) does not
//! hold virtual time back: the clock cannot know it is coming, so a timeout
//! armed meanwhile fires at once, as tokio's paused clock does. Work the
//! clock can see (`spawn_blocking`) does hold it back.

use super::reactor::Reactor;
use crate::{Clock, Park, SystemClock, Unpark};
use alloc::rc::Rc;
use alloc::sync::Arc;
use core::cell::Cell;
use core::sync::atomic::{AtomicU8, Ordering};
use core::time::Duration;
use rustix::event::{eventfd, EventfdFlags};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

/// No wake since the last park, and no one waiting in epoll.
const EMPTY: u8 = 0;
/// The loop is (about to be) waiting in epoll: a wake must write the eventfd.
const PARKED: u8 = 1;
/// A wake came: the next park returns at once.
const NOTIFIED: u8 = 2;

/// The loop's clock when the io layer is on: system or virtual time,
/// waiting in the reactor.
pub(crate) struct IoClock {
    /// The thread's reactor, kept alive by this clock.
    reactor: Rc<Reactor>,
    /// `Some(now)` for virtual time; `None` for the system clock.
    virtual_now: Option<Cell<Duration>>,
}

impl IoClock {
    /// A clock on this thread's reactor, on virtual or system time.
    pub(crate) fn new(reactor: Rc<Reactor>, virtual_time: bool) -> Self {
        let virtual_now = virtual_time.then(|| Cell::new(Duration::ZERO));
        IoClock {
            reactor,
            virtual_now,
        }
    }

    /// Waits in the reactor for at most `timeout`, unless a wake already
    /// came.
    fn wait(&self, timeout: Option<Duration>) {
        if timeout == Some(Duration::ZERO) {
            self.reactor.turn(timeout);
        } else if self.reactor.notify.begin_park() {
            self.reactor.turn(timeout);
            self.reactor.notify.end_park();
        }
    }
}

impl Clock for IoClock {
    fn now(&self) -> Duration {
        match &self.virtual_now {
            Some(now) => now.get(),
            None => SystemClock.now(),
        }
    }

    fn park(&self, park: &Park<'_>) {
        if park.woken() {
            return;
        }
        let Some(now) = &self.virtual_now else {
            let timeout = park
                .deadline()
                .map(|deadline| deadline.saturating_sub(self.now()));
            return self.wait(timeout);
        };
        // Virtual time: whatever is ready now runs before time moves.
        if self.reactor.has_sources() && self.reactor.turn(Some(Duration::ZERO)) > 0 {
            return;
        }
        match park.deadline() {
            Some(deadline) if !park.outside_work() => now.set(now.get().max(deadline)),
            // Only a wake or a socket can move things on: wait for one.
            _ => self.wait(None),
        }
    }

    fn block_for(&self, duration: Duration) {
        match &self.virtual_now {
            Some(now) => now.set(now.get() + duration),
            None => std::thread::sleep(duration),
        }
    }

    fn has_sources(&self) -> bool {
        self.reactor.has_sources()
    }

    fn unparker(&self) -> Arc<dyn Unpark> {
        self.reactor.notify.clone()
    }
}

/// The cross-thread end of a wait: an eventfd in the reactor's epoll set,
/// and a state that spares the write when no one waits.
///
/// The state machine is std's thread parker's: a wake sets `NOTIFIED` and
/// writes the eventfd only if it found `PARKED`; a park moves `EMPTY` to
/// `PARKED` (or takes a `NOTIFIED` and returns at once) and back to
/// `EMPTY` after the wait. One atomic, read-modify-written on both sides,
/// so a wake is never lost between the loop's last look at its queue and
/// its wait.
pub(crate) struct Notify {
    /// `EMPTY`, `PARKED` or `NOTIFIED`.
    state: AtomicU8,
    /// Non-blocking; written to end an epoll wait.
    eventfd: OwnedFd,
}

impl Notify {
    /// A notifier with its own eventfd.
    pub(crate) fn new() -> io::Result<Self> {
        let eventfd = eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)?;
        Ok(Notify {
            state: AtomicU8::new(EMPTY),
            eventfd,
        })
    }

    /// Before a wait: `false` if a wake already came (taking it).
    fn begin_park(&self) -> bool {
        let parked =
            self.state
                .compare_exchange(EMPTY, PARKED, Ordering::Acquire, Ordering::Acquire);
        if parked.is_err() {
            self.state.store(EMPTY, Ordering::Relaxed);
        }
        parked.is_ok()
    }

    /// After a wait, however it ended.
    fn end_park(&self) {
        self.state.swap(EMPTY, Ordering::Acquire);
    }

    /// Empties the eventfd, so it stops being readable.
    pub(crate) fn drain(&self) {
        // WouldBlock means already empty; nothing else can fail here.
        let _ = rustix::io::read(&self.eventfd, &mut [0u8; 8]);
    }
}

impl AsFd for Notify {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.eventfd.as_fd()
    }
}

impl Unpark for Notify {
    fn unpark(&self) {
        if self.state.swap(NOTIFIED, Ordering::Release) == PARKED {
            // Full (after 2^64 - 2 unread writes) would still be readable.
            let _ = rustix::io::write(&self.eventfd, &1u64.to_ne_bytes());
        }
    }
}
