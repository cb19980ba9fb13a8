//! [`BinaryHeapQueue`]: timers in a binary min-heap that knows where each
//! timer sits, so cancel is O(log n) and frees memory at once.
//!
//! Part of `queues.rs`. The earliest deadline is always at the root;
//! each element is no earlier than its parent, and nothing else is ordered.
//! Insert puts a timer at the bottom and lets it rise; firing takes the
//! root, moves the last element into its place and lets it sink. Both walk
//! one path of the tree: log2(n) steps, each on a different cache line once
//! the heap outgrows the cache.
//!
//! # Why an indexed heap, not `std::collections::BinaryHeap`
//!
//! std's heap cannot remove an element from the middle, so cancelling there
//! means *lazy deletion*: mark the timer dead and skip it when it reaches
//! the root. Cancel is then O(1), but a cancelled timer keeps its memory
//! and its place until its deadline passes, and every pop pays for the dead
//! ones above it; a program that arms timeouts and nearly always cancels
//! them (the usual case) carries a heap of corpses. This heap records each
//! timer's position in its slab entry, updated on every move, so cancel can
//! take the timer out where it is: O(log n), and the heap holds only armed
//! timers, like the wheel and the map. Go's runtime keeps its timers the
//! same way (a 4-ary heap with positions).

use super::slab::Slab;
use super::{TimerKey, TimerQueue};
use alloc::vec::Vec;

/// A min-heap of timers by deadline, with O(log n) cancel.
///
/// Invariants:
/// - `heap[i].0 >= heap[(i - 1) / 2].0` for every `i > 0` (the heap order);
/// - the entry of `heap[i].1` has `position == i`, and every armed entry
///   is in `heap` exactly once;
/// - every deadline in `heap` is after `now`.
///
/// # Examples
///
/// ```
/// use minirt::queues::{BinaryHeapQueue, TimerQueue};
/// let mut heap = BinaryHeapQueue::new(0);
/// for (deadline, name) in [(30, 'c'), (10, 'a'), (20, 'b')] {
///     heap.insert(deadline, name).unwrap();
/// }
/// let mut fired = Vec::new();
/// heap.advance(20, &mut fired);
/// assert_eq!(fired, [(10, 'a'), (20, 'b')]);
/// ```
pub struct BinaryHeapQueue<T> {
    /// The tick the queue has been advanced to.
    now: u64,
    /// `(deadline, slab index)` pairs in heap order. The deadline is kept
    /// here, beside the index, so that comparisons read only this array.
    heap: Vec<(u64, u32)>,
    /// Each armed timer's payload and its position in `heap`.
    entries: Slab<Entry<T>>,
}

/// What the slab holds for one armed timer.
struct Entry<T> {
    /// Where the timer is in `heap`, kept true on every move.
    position: u32,
    /// What to hand back when it fires.
    payload: T,
}

impl<T> TimerQueue<T> for BinaryHeapQueue<T> {
    fn new(now: u64) -> Self {
        BinaryHeapQueue {
            now,
            heap: Vec::new(),
            entries: Slab::new(),
        }
    }

    fn len(&self) -> usize {
        self.heap.len()
    }

    fn insert(&mut self, deadline: u64, payload: T) -> Result<TimerKey, T> {
        if deadline <= self.now {
            return Err(payload);
        }
        let bottom = self.heap.len();
        let key = self.entries.insert(Entry {
            position: bottom as u32,
            payload,
        });
        self.heap.push((deadline, key.index));
        self.sift_up(bottom);
        Ok(key)
    }

    fn payload(&self, key: TimerKey) -> Option<&T> {
        Some(&self.entries.get(key)?.payload)
    }

    fn update(&mut self, key: TimerKey, payload: T) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.payload = payload;
        }
    }

    fn cancel(&mut self, key: TimerKey) -> Option<T> {
        let entry = self.entries.remove(key)?;
        self.take_out(entry.position as usize);
        Some(entry.payload)
    }

    fn next_expiration(&self) -> Option<u64> {
        self.heap.first().map(|&(deadline, _)| deadline)
    }

    fn reached(&self) -> u64 {
        self.now
    }

    fn advance(&mut self, now: u64, fired: &mut Vec<(u64, T)>) {
        while let Some(&(deadline, index)) = self.heap.first() {
            if deadline > now {
                break;
            }
            self.take_out(0);
            fired.push((deadline, self.entries.remove_at(index).payload));
        }
        self.now = self.now.max(now);
    }
}

impl<T> BinaryHeapQueue<T> {
    /// Removes the element at `position` from the array (its slab entry is
    /// the caller's business). The last element fills the hole, then moves
    /// to where it belongs: down if it is later than its new children, or up
    /// if the hole was in another branch and it is earlier than its new
    /// parent.
    fn take_out(&mut self, position: usize) {
        self.heap.swap_remove(position);
        if position < self.heap.len() {
            let position = self.sift_up(position);
            self.sift_down(position);
        }
    }

    /// Moves the element at `position` up past every later parent; returns
    /// where it stopped. Parents move down into the hole one at a time, so
    /// each step writes one element, not two as a swap would.
    fn sift_up(&mut self, mut position: usize) -> usize {
        let moving = self.heap[position];
        while position > 0 {
            let parent = (position - 1) / 2;
            if self.heap[parent].0 <= moving.0 {
                break;
            }
            self.put(position, self.heap[parent]);
            position = parent;
        }
        self.put(position, moving);
        position
    }

    /// Moves the element at `position` down past every earlier child, always
    /// toward the earlier of the two so the heap order holds above it.
    fn sift_down(&mut self, mut position: usize) {
        let moving = self.heap[position];
        let len = self.heap.len();
        loop {
            let left = 2 * position + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            let child = if right < len && self.heap[right].0 < self.heap[left].0 {
                right
            } else {
                left
            };
            if moving.0 <= self.heap[child].0 {
                break;
            }
            self.put(position, self.heap[child]);
            position = child;
        }
        self.put(position, moving);
    }

    /// Writes `element` at `position` and tells its slab entry where it is.
    fn put(&mut self, position: usize, element: (u64, u32)) {
        self.heap[position] = element;
        self.entries.at_mut(element.1).position = position as u32;
    }
}
