//! The runtime's choice of timer queue: [`TimerQueueKind`] names it, and
//! [`AnyQueue`] is the queue the loop holds, whichever was chosen.
//!
//! Part of `queues.rs`. `Builder::timer_queue` takes the kind; `Core`
//! keeps an `AnyQueue`; `Sleep` and the loop call it through the
//! [`TimerQueue`] trait and never learn which queue is inside.
//!
//! # Why an enum, not `Box<dyn TimerQueue>`
//!
//! There are exactly three queues and the set is closed, so an enum says
//! all there is to say: each call is one `match` on a tag that never
//! changes, which the branch predictor learns at once, and the compiler can
//! inline each queue's method into its arm. A trait object would add an
//! allocation, and an indirect call per operation that the inliner cannot
//! see through. The wheel, the default, sits inline in the enum.

use super::{BinaryHeapQueue, OrderedMapQueue, TimerKey, TimerQueue, Wheel};
use alloc::vec::Vec;

/// Which [`TimerQueue`] a runtime keeps its timers in.
///
/// The default is the wheel. The other two exist to be compared with it:
/// every timeline comes out the same on each (the tests check it), only the
/// cost differs, and it grows with the number of pending timers.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let rt = minirt::Runtime::builder()
///     .virtual_clock()
///     .timer_queue(minirt::TimerQueueKind::Heap)
///     .build();
/// rt.block_on(rt.sleep(Duration::from_secs(1)));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimerQueueKind {
    /// The hierarchical [`Wheel`]: O(1) insert and cancel.
    #[default]
    Wheel,
    /// The indexed [`BinaryHeapQueue`]: O(log n) insert, cancel and fire.
    Heap,
    /// The [`OrderedMapQueue`] (a `BTreeMap`): O(log n) for each, too.
    OrderedMap,
}

/// A timer queue of any kind; the loop's own.
// The wheel's slot heads make it some 1.6 KB to the others' 80 bytes.
// There is one `AnyQueue` per runtime, so the bytes cost nothing, and the
// default path is spared the pointer a `Box` would add.
#[allow(clippy::large_enum_variant)]
pub(crate) enum AnyQueue<T> {
    /// [`TimerQueueKind::Wheel`].
    Wheel(Wheel<T>),
    /// [`TimerQueueKind::Heap`].
    Heap(BinaryHeapQueue<T>),
    /// [`TimerQueueKind::OrderedMap`].
    OrderedMap(OrderedMapQueue<T>),
}

impl<T> AnyQueue<T> {
    /// An empty queue of `kind` whose time starts at tick `now`.
    pub(crate) fn of_kind(kind: TimerQueueKind, now: u64) -> Self {
        match kind {
            TimerQueueKind::Wheel => AnyQueue::Wheel(Wheel::new(now)),
            TimerQueueKind::Heap => AnyQueue::Heap(BinaryHeapQueue::new(now)),
            TimerQueueKind::OrderedMap => AnyQueue::OrderedMap(OrderedMapQueue::new(now)),
        }
    }
}

/// Runs `$call` on whichever queue `$any` holds, bound to `$queue`: the
/// same expression in each arm, so the three arms cannot drift apart.
macro_rules! on_queue {
    ($any:expr, $queue:ident => $call:expr) => {
        match $any {
            AnyQueue::Wheel($queue) => $call,
            AnyQueue::Heap($queue) => $call,
            AnyQueue::OrderedMap($queue) => $call,
        }
    };
}

impl<T> TimerQueue<T> for AnyQueue<T> {
    /// The default kind, the wheel.
    fn new(now: u64) -> Self {
        AnyQueue::of_kind(TimerQueueKind::default(), now)
    }

    fn len(&self) -> usize {
        on_queue!(self, queue => queue.len())
    }

    fn insert(&mut self, deadline: u64, payload: T) -> Result<TimerKey, T> {
        on_queue!(self, queue => queue.insert(deadline, payload))
    }

    fn payload(&self, key: TimerKey) -> Option<&T> {
        on_queue!(self, queue => queue.payload(key))
    }

    fn update(&mut self, key: TimerKey, payload: T) {
        on_queue!(self, queue => queue.update(key, payload));
    }

    fn cancel(&mut self, key: TimerKey) -> Option<T> {
        on_queue!(self, queue => queue.cancel(key))
    }

    fn next_expiration(&self) -> Option<u64> {
        on_queue!(self, queue => queue.next_expiration())
    }

    fn reached(&self) -> u64 {
        on_queue!(self, queue => queue.reached())
    }

    fn advance(&mut self, now: u64, fired: &mut Vec<(u64, T)>) {
        on_queue!(self, queue => queue.advance(now, fired));
    }
}
