//! [`TimerQueue`]: what the loop needs from a store of timers, and three
//! ways to build one (a wheel, a binary heap, an ordered map).
//!
//! A side feature, `timer-queues`, off by default: the runtime's own loop
//! keeps its timers in the wheel, called directly. With the feature the
//! loop keeps an `AnyQueue` instead, and the other two queues can be
//! compared with the wheel in the tests (all three against one model),
//! under a real loop (`Builder::timer_queue`), and at scale (`concur bench
//! queues`, which turns the feature on). They answer the question the wheel's docs raise:
//! why a wheel, when a heap or a sorted map is the textbook answer?
//!
//! # What a timer queue does
//!
//! The loop asks four things of it, and nothing else: arm a timer (a
//! `Sleep`'s first poll), look at or replace its payload (a re-poll with a
//! new waker), disarm it (a dropped `Sleep`), and, once per turn, hand back
//! every timer due by "now", in deadline order. To park, the loop also asks
//! when the next work is due.
//!
//! # The three, side by side
//!
//! | queue | file | insert | cancel | fire one | next deadline |
//! |---|---|---|---|---|---|
//! | [`Wheel`] | `wheel.rs` | O(1) | O(1) | O(1), plus at most 10 cascades in a life | O(levels) |
//! | [`BinaryHeapQueue`] | `queues/heap.rs` | O(log n) | O(log n) | O(log n) | O(1) |
//! | [`OrderedMapQueue`] | `queues/ordered.rs` | O(log n) | O(log n) | O(log n) | O(log n) |
//!
//! The heap is what Go's runtime and many C event loops (libevent, libuv)
//! use; the ordered map is what smol's reactor (async-io) uses; tokio, like
//! minirt, uses a hierarchical wheel. Big-O hides the constant that matters
//! at scale: the heap and the map touch about log2(n) cache lines per
//! operation, scattered over the whole queue, while the wheel touches one
//! entry and one slot head.
//!
//! # Keys
//!
//! Every queue hands out the same [`TimerKey`]: an index in a slab of
//! entries plus that entry's generation, bumped whenever the entry is freed.
//! A key whose timer already fired (or was cancelled) is therefore stale,
//! and every method ignores it, whichever queue issued it. One key type is
//! what lets the runtime swap queues under the same `Sleep`.
//!
//! # Example
//!
//! ```
//! use minirt::queues::{BinaryHeapQueue, TimerQueue};
//! let mut queue = BinaryHeapQueue::new(0);
//! let late = queue.insert(20, "late").unwrap();
//! queue.insert(10, "early").unwrap();
//! assert_eq!(queue.next_expiration(), Some(10));
//! assert_eq!(queue.cancel(late), Some("late"));
//! let mut fired = Vec::new();
//! queue.advance(25, &mut fired);
//! assert_eq!(fired, [(10, "early")]);
//! assert_eq!(queue.cancel(late), None); // a stale key is harmless
//! ```

use alloc::vec::Vec;

mod heap;
mod kind;
mod ordered;
mod slab;
#[cfg(test)]
mod tests;

pub use crate::wheel::{TimerKey, Wheel};
pub use heap::BinaryHeapQueue;
pub(crate) use kind::AnyQueue;
pub use kind::TimerQueueKind;
pub use ordered::OrderedMapQueue;

/// A store of timers, each a deadline in ticks (1 µs) and a payload `T`
/// (a `Waker` in the runtime, anything in the tests and benchmarks).
///
/// Time only moves forward, through [`advance`](TimerQueue::advance); a
/// deadline at or before the time reached is already due.
pub trait TimerQueue<T> {
    /// An empty queue whose time starts at tick `now`.
    fn new(now: u64) -> Self
    where
        Self: Sized;

    /// Number of armed timers.
    fn len(&self) -> usize;

    /// Whether no timer is armed.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Arms a timer due at `deadline`.
    ///
    /// # Errors
    ///
    /// A deadline not after the time reached is already due: the payload
    /// comes back and nothing is armed, so the caller can treat it as fired.
    fn insert(&mut self, deadline: u64, payload: T) -> Result<TimerKey, T>;

    /// The payload of an armed timer; `None` for a stale key.
    fn payload(&self, key: TimerKey) -> Option<&T>;

    /// Replaces the payload of an armed timer; a stale key is ignored.
    fn update(&mut self, key: TimerKey, payload: T);

    /// Disarms a timer and returns its payload; `None` for a stale key.
    fn cancel(&mut self, key: TimerKey) -> Option<T>;

    /// The tick by which [`advance`](TimerQueue::advance) next has work:
    /// never later than the earliest deadline (a wheel may name an earlier
    /// tick, where it must cascade). `None` when nothing is armed. The loop
    /// parks until this tick.
    fn next_expiration(&self) -> Option<u64>;

    /// Moves time forward to `now`, pushing the deadline and payload of
    /// every timer due at or before `now` into `fired`, earliest first
    /// (timers due at the same tick in no promised order).
    fn advance(&mut self, now: u64, fired: &mut Vec<(u64, T)>);

    /// The tick time has reached: every timer due by then has fired.
    fn reached(&self) -> u64;
}

/// The wheel, seen through the interface it is compared by: each method is
/// its own, which it also has without this feature.
impl<T> TimerQueue<T> for Wheel<T> {
    fn new(now: u64) -> Self {
        Wheel::new(now)
    }

    fn len(&self) -> usize {
        Wheel::len(self)
    }

    fn insert(&mut self, deadline: u64, payload: T) -> Result<TimerKey, T> {
        Wheel::insert(self, deadline, payload)
    }

    fn payload(&self, key: TimerKey) -> Option<&T> {
        Wheel::payload(self, key)
    }

    fn reached(&self) -> u64 {
        Wheel::reached(self)
    }

    fn update(&mut self, key: TimerKey, payload: T) {
        Wheel::update(self, key, payload);
    }

    fn cancel(&mut self, key: TimerKey) -> Option<T> {
        Wheel::cancel(self, key)
    }

    fn next_expiration(&self) -> Option<u64> {
        Wheel::next_expiration(self)
    }

    fn advance(&mut self, now: u64, fired: &mut Vec<(u64, T)>) {
        Wheel::advance(self, now, fired);
    }
}
