//! [`OrderedMapQueue`]: timers in a `BTreeMap` sorted by deadline, the way
//! smol's reactor (async-io) keeps them.
//!
//! Part of `queues.rs`. The map is the simplest correct timer queue:
//! sorted by `(deadline, tie-breaker)`, so the due timers are its first
//! entries and cancel is a lookup. Each operation walks the B-tree from the
//! root, O(log n) nodes of eleven keys each: fewer cache lines than the
//! heap's path, but more comparisons per line, and insert and remove
//! shuffle keys inside a node and sometimes split or merge nodes.
//!
//! # The tie-breaker, and why a slab
//!
//! async-io keys its map by `(deadline, id)`, the id from a counter, and
//! hands the pair back as the timer's handle: never reused, so never stale.
//! Here every queue must hand out the same [`TimerKey`] (index and
//! generation), so the tie-breaker is the index of a slab cell that
//! remembers the timer's deadline, and the cell's generation makes a stale
//! key harmless. The price is one more lookup per cancel (the slab, then
//! the map), small beside the tree walk.

use super::slab::Slab;
use super::{TimerKey, TimerQueue};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// An ordered map of timers, earliest first.
///
/// Invariants:
/// - `map` holds `(deadline, index)` exactly when slab cell `index` is armed
///   with that `deadline`;
/// - every deadline in `map` is after `now`.
///
/// # Examples
///
/// ```
/// use minirt::queues::{OrderedMapQueue, TimerQueue};
/// let mut map = OrderedMapQueue::new(0);
/// let key = map.insert(10, 'a').unwrap();
/// map.update(key, 'b');
/// assert_eq!(map.payload(key), Some(&'b'));
/// assert_eq!(map.cancel(key), Some('b'));
/// assert!(map.is_empty());
/// ```
pub struct OrderedMapQueue<T> {
    /// The tick the queue has been advanced to.
    now: u64,
    /// Payloads by `(deadline, slab index)`: sorted, so due timers come first.
    map: BTreeMap<(u64, u32), T>,
    /// The deadline of each armed timer, so a key can find its map entry.
    deadlines: Slab<u64>,
}

impl<T> TimerQueue<T> for OrderedMapQueue<T> {
    fn new(now: u64) -> Self {
        OrderedMapQueue {
            now,
            map: BTreeMap::new(),
            deadlines: Slab::new(),
        }
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    fn insert(&mut self, deadline: u64, payload: T) -> Result<TimerKey, T> {
        if deadline <= self.now {
            return Err(payload);
        }
        let key = self.deadlines.insert(deadline);
        self.map.insert((deadline, key.index), payload);
        Ok(key)
    }

    fn payload(&self, key: TimerKey) -> Option<&T> {
        let deadline = *self.deadlines.get(key)?;
        self.map.get(&(deadline, key.index))
    }

    fn update(&mut self, key: TimerKey, payload: T) {
        if let Some(&deadline) = self.deadlines.get(key) {
            self.map.insert((deadline, key.index), payload);
        }
    }

    fn cancel(&mut self, key: TimerKey) -> Option<T> {
        let deadline = self.deadlines.remove(key)?;
        self.map.remove(&(deadline, key.index))
    }

    fn next_expiration(&self) -> Option<u64> {
        self.map.keys().next().map(|&(deadline, _)| deadline)
    }

    fn reached(&self) -> u64 {
        self.now
    }

    fn advance(&mut self, now: u64, fired: &mut Vec<(u64, T)>) {
        while let Some(first) = self.map.first_entry() {
            let (deadline, index) = *first.key();
            if deadline > now {
                break;
            }
            fired.push((deadline, first.remove()));
            self.deadlines.remove_at(index);
        }
        self.now = self.now.max(now);
    }
}
