//! [`Readiness`]: what the reactor knows about one source, as a state
//! machine with no system call in it.
//!
//! The first file of the io layer (`io.rs`). Each registered socket has one
//! `Readiness`: per direction (read, write) a "may be ready" flag and the
//! wakers of the tasks waiting for it, plus a tick that counts the events
//! the reactor has delivered. An operation runs like this:
//!
//! 1. [`poll_ready`](Readiness::poll_ready): if the flag is up, go on and
//!    remember the tick; if not, leave the waker and return `Pending`.
//! 2. Try the system call. Done, unless it says `WouldBlock`.
//! 3. [`clear`](Readiness::clear) the flag, *only if the tick is still the
//!    one remembered*, and go back to 1.
//!
//! The reactor calls [`wake`](Readiness::wake) on an event: it raises the
//! flags, moves the tick on, and wakes the waiters. Step 3's tick check is
//! what makes edge-triggered epoll safe: an event delivered between the
//! failed call and the clear would otherwise be wiped out by the clear, and
//! the edge would never come again. Since every method needs `&self` on the
//! loop's thread, that window opens only when an operation spans a wait;
//! the check costs one comparison and keeps the rule local.

use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::task::{Context, Poll, Waker};

/// Which way data flows through a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Reading, receiving, accepting.
    Read = 0,
    /// Writing, sending, finishing a connect.
    Write = 1,
}

/// One source's readiness, per direction, and who waits for it.
///
/// Invariants:
/// - `ready[d]` is true from an event (or registration) until an operation
///   in direction `d` fails with `WouldBlock` at the current `tick`; once
///   `closed[d]`, for good (every call then ends at once: a read gives 0,
///   a write an error).
/// - a waker sits in `waiters[d]` only while `ready[d]` was false when its
///   task looked; [`wake`](Readiness::wake) empties the list.
/// - no waker appears twice in one list (`Waker::will_wake`).
#[derive(Debug)]
pub(crate) struct Readiness {
    /// Whether each direction may be ready; true at first, so a new source
    /// tries its first operation at once (a fresh socket is usually ready
    /// to write, and the kernel reports that only as an event otherwise).
    ready: Cell<[bool; 2]>,
    /// Whether each direction has seen its end (the peer's FIN or a reset,
    /// for reads; a hang-up or an error, for writes). No edge follows an
    /// end, so the flag must never be lowered after one.
    closed: Cell<[bool; 2]>,
    /// Events delivered so far.
    tick: Cell<u64>,
    /// The tasks waiting, per direction.
    waiters: RefCell<[Vec<Waker>; 2]>,
}

/// The wakers taken from one direction's list by an event.
enum Waiters {
    /// Nobody waited, or the event was not for this direction.
    None,
    /// The usual case: one task waits on a socket's direction. Taken alone,
    /// it costs no allocation, and the list keeps its capacity for the
    /// task's next wait (an echo server would otherwise allocate a list
    /// per request: 6 % of its instructions, measured with callgrind).
    One(Waker),
    /// Several tasks wait on the same direction: the whole list.
    Many(Vec<Waker>),
}

impl Waiters {
    /// Takes the wakers out of `list`.
    fn take(list: &mut Vec<Waker>) -> Self {
        match list.len() {
            0 => Waiters::None,
            1 => list.pop().map_or(Waiters::None, Waiters::One),
            _ => Waiters::Many(core::mem::take(list)),
        }
    }

    /// Wakes them all; how many there were.
    fn wake(self) -> usize {
        match self {
            Waiters::None => 0,
            Waiters::One(waker) => {
                waker.wake();
                1
            }
            Waiters::Many(wakers) => {
                let count = wakers.len();
                wakers.into_iter().for_each(Waker::wake);
                count
            }
        }
    }
}

impl Readiness {
    /// A source that may be ready both ways, with no one waiting.
    pub(crate) fn new() -> Self {
        Readiness {
            ready: Cell::new([true, true]),
            closed: Cell::new([false, false]),
            tick: Cell::new(0),
            waiters: RefCell::new([Vec::new(), Vec::new()]),
        }
    }

    /// `Ready(tick)` if `direction` may be ready; otherwise keeps the
    /// waker of `cx` for the next event and returns `Pending`.
    pub(crate) fn poll_ready(&self, direction: Direction, cx: &mut Context<'_>) -> Poll<u64> {
        if self.ready.get()[direction as usize] {
            return Poll::Ready(self.tick.get());
        }
        let mut waiters = self.waiters.borrow_mut();
        let list = &mut waiters[direction as usize];
        if !list.iter().any(|waiter| waiter.will_wake(cx.waker())) {
            list.push(cx.waker().clone());
        }
        Poll::Pending
    }

    /// An operation in `direction` that began at `tick` would block: lower
    /// the flag, unless an event came in since, which may have made it
    /// ready again.
    pub(crate) fn clear(&self, direction: Direction, tick: u64) {
        if self.tick.get() == tick && !self.closed.get()[direction as usize] {
            let mut ready = self.ready.get();
            ready[direction as usize] = false;
            self.ready.set(ready);
        }
    }

    /// An event: raises the flags it names (`[read, write]`), notes the
    /// ends it names, and wakes who waits on them. Returns how many tasks
    /// it woke.
    pub(crate) fn wake(&self, [read, write]: [bool; 2], [read_end, write_end]: [bool; 2]) -> usize {
        self.tick.set(self.tick.get() + 1);
        let [was_read_end, was_write_end] = self.closed.get();
        self.closed
            .set([was_read_end || read_end, was_write_end || write_end]);
        let [was_read, was_write] = self.ready.get();
        self.ready.set([was_read || read, was_write || write]);
        // Take the wakers out before waking: a wake may run code that looks
        // at this source again.
        let woken = {
            let mut waiters = self.waiters.borrow_mut();
            let [reads, writes] = &mut *waiters;
            [(reads, read), (writes, write)].map(|(list, event)| match event {
                true => Waiters::take(list),
                false => Waiters::None,
            })
        };
        woken.into_iter().map(Waiters::wake).sum()
    }

    /// Takes back the waker a dropped future left for `direction`, so the
    /// source holds no waker of a task that no longer waits.
    pub(crate) fn forget(&self, direction: Direction, waker: &Waker) {
        let mut waiters = self.waiters.borrow_mut();
        waiters[direction as usize].retain(|waiter| !waiter.will_wake(waker));
    }

    /// How many tasks wait in `direction`.
    #[cfg(test)]
    fn waiting(&self, direction: Direction) -> usize {
        self.waiters.borrow()[direction as usize].len()
    }
}

#[cfg(test)]
mod tests {
    //! The state machine alone: no socket, no epoll, so Miri runs it.

    use super::{Direction::*, Readiness};
    use alloc::sync::Arc;
    use alloc::task::Wake;
    use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    use core::task::{Context, Poll, Waker};

    /// A waker that counts its wakes.
    #[derive(Default)]
    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Relaxed);
        }
    }

    fn counter() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count::default());
        (count.clone(), Waker::from(count))
    }

    #[test]
    fn a_new_source_is_tried_at_once() {
        let (_, waker) = counter();
        let readiness = Readiness::new();
        let mut cx = Context::from_waker(&waker);
        assert_eq!(readiness.poll_ready(Read, &mut cx), Poll::Ready(0));
        assert_eq!(readiness.poll_ready(Write, &mut cx), Poll::Ready(0));
    }

    #[test]
    fn would_block_waits_for_the_next_event() {
        let (count, waker) = counter();
        let readiness = Readiness::new();
        let mut cx = Context::from_waker(&waker);
        let Poll::Ready(tick) = readiness.poll_ready(Read, &mut cx) else {
            unreachable!()
        };
        readiness.clear(Read, tick); // the read said WouldBlock
        assert_eq!(readiness.poll_ready(Read, &mut cx), Poll::Pending);
        assert_eq!(readiness.poll_ready(Read, &mut cx), Poll::Pending);
        // Kept once, not twice. (Miri gives each use of a waker's vtable an
        // address of its own, so `will_wake` says no to clones there.)
        let kept = if cfg!(miri) { 2 } else { 1 };
        assert_eq!(readiness.waiting(Read), kept);
        assert_eq!(readiness.wake([false, true], [false; 2]), 0); // writable: not for readers
        assert_eq!(count.0.load(Relaxed), 0);
        assert_eq!(readiness.wake([true, false], [false; 2]), kept);
        assert_eq!(count.0.load(Relaxed), kept);
        assert_eq!(readiness.poll_ready(Read, &mut cx), Poll::Ready(2));
    }

    #[test]
    fn one_event_wakes_every_waiter_of_its_direction_and_only_those() {
        let readiness = Readiness::new();
        let wait = |direction| {
            let (count, waker) = counter();
            let mut cx = Context::from_waker(&waker);
            // The first to look finds the fresh source ready, tries, and
            // gets WouldBlock; from then on the direction is not ready.
            // Each polls to `Pending` once, so each leaves one waker (under
            // Miri a second poll would leave a second: see above).
            if let Poll::Ready(tick) = readiness.poll_ready(direction, &mut cx) {
                readiness.clear(direction, tick);
                assert_eq!(readiness.poll_ready(direction, &mut cx), Poll::Pending);
            }
            count
        };
        // Two readers (the list path) and one writer (the single path).
        let (first, second, writer) = (wait(Read), wait(Read), wait(Write));
        assert_eq!(readiness.wake([true, false], [false; 2]), 2);
        let woken = [&first, &second, &writer].map(|count| count.0.load(Relaxed));
        assert_eq!(woken, [1, 1, 0]);
        assert_eq!(readiness.waiting(Read), 0);
        assert_eq!(readiness.wake([false, true], [false; 2]), 1);
        assert_eq!(writer.0.load(Relaxed), 1);
        assert_eq!(
            readiness.wake([true, true], [false; 2]),
            0,
            "nobody is left"
        );
    }

    #[test]
    fn an_event_between_the_failed_call_and_the_clear_is_kept() {
        let (_, waker) = counter();
        let readiness = Readiness::new();
        let mut cx = Context::from_waker(&waker);
        let Poll::Ready(tick) = readiness.poll_ready(Read, &mut cx) else {
            unreachable!()
        };
        // The read fails with WouldBlock; data arrives and its edge is
        // delivered before the clear.
        readiness.wake([true, false], [false; 2]);
        readiness.clear(Read, tick);
        // The flag stays up: the next read is tried, and finds the data.
        assert_eq!(readiness.poll_ready(Read, &mut cx), Poll::Ready(1));
    }

    #[test]
    fn after_an_end_the_flag_stays_up() {
        let (_, waker) = counter();
        let readiness = Readiness::new();
        let mut cx = Context::from_waker(&waker);
        // Data and the peer's FIN in one edge; a short read takes the data.
        readiness.wake([true, false], [true, false]);
        readiness.clear(Read, 1);
        // No edge will follow: the next read must be tried (and give 0).
        assert_eq!(readiness.poll_ready(Read, &mut cx), Poll::Ready(1));
    }

    #[test]
    fn a_dropped_waiter_is_forgotten() {
        let (count, waker) = counter();
        let readiness = Readiness::new();
        let mut cx = Context::from_waker(&waker);
        readiness.clear(Write, 0);
        assert_eq!(readiness.poll_ready(Write, &mut cx), Poll::Pending);
        readiness.forget(Write, &waker);
        // Found by `will_wake`, which Miri's vtables defeat (see above).
        if !cfg!(miri) {
            assert_eq!(readiness.waiting(Write), 0);
            assert_eq!(readiness.wake([true, true], [false; 2]), 0);
            assert_eq!(count.0.load(Relaxed), 0);
        }
    }
}
