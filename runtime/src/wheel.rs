//! The hierarchical hashed timer wheel: where every pending `sleep` waits.
//!
//! Read this after `clock.rs`; it uses nothing else in minirt. The executor owns one [`Wheel`] and
//! calls it directly; `Sleep` inserts into it, dropping a `Sleep` cancels,
//! and each turn of the run loop calls [`advance`](Wheel::advance) with the
//! clock's "now" to collect what expired. (The queues it is measured
//! against live beside it, in `queues.rs`, behind the `timer-queues`
//! feature.)
//!
//! # Why a wheel
//!
//! A binary heap costs O(log n) per insert and per cancel, and cancel needs
//! an index on top (`queues/heap.rs` shows both). A hashed wheel (Varghese & Lauck, "Hashed and
//! Hierarchical Timing Wheels", 1987) files each timer in a slot picked from
//! the bits of its deadline: insert and cancel are O(1), and the work of
//! sorting is spread out as the wheel turns.
//!
//! # Shape
//!
//! One tick is one microsecond. Six levels of 64 slots; each slot of a level
//! spans one full turn of the level below it:
//!
//! | level | one slot | whole level |
//! |-------|----------|-------------|
//! | 0     | 1 µs     | 64 µs       |
//! | 1     | 64 µs    | ~4.1 ms     |
//! | 2     | ~4.1 ms  | ~262 ms     |
//! | 3     | ~262 ms  | ~16.8 s     |
//! | 4     | ~16.8 s  | ~17.9 min   |
//! | 5     | ~17.9 min| ~19.1 h     |
//!
//! # Rules
//!
//! - **Filing.** A timer goes to the lowest level whose slot digit is the
//!   highest bit group in which its deadline differs from `elapsed`; the slot
//!   is that digit of the deadline. So every timer on level `k` shares all
//!   digits above `k` with `elapsed`, and lower levels always expire first.
//! - **Cascade.** When `elapsed` reaches the start of an occupied slot on a
//!   level above 0, the slot is emptied and its timers are filed again: they
//!   now share one more digit with `elapsed`, so each lands a level lower. A
//!   timer moves at most five times in its life.
//! - **Overflow.** A deadline beyond ~19 h differs from `elapsed` above the top
//!   level; it waits in an unsorted overflow list, filed again when the
//!   wheel reaches the 2^36 µs window (~19 h) of its earliest timer, which is
//!   rare and cheap.
//!
//! Entries live in a slab (`Vec`) and each slot is a doubly linked list of
//! slab indices, so cancel unlinks in O(1) without unsafe pointers.

use alloc::vec::Vec;

/// A handle to one armed timer, returned by [`Wheel::insert`].
///
/// Like a ticket: it names the timer, and stops working once the timer has
/// fired or been cancelled, even if its slab entry is reused (the
/// generation no longer matches).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerKey {
    /// Index in the queue's slab of entries.
    pub(crate) index: u32,
    /// Generation of that entry when the timer was armed.
    pub(crate) generation: u32,
}

/// Bits of the deadline consumed by one level: 64 slots.
const BITS_PER_LEVEL: u32 = 6;
/// Slots in one level.
const SLOTS: usize = 1 << BITS_PER_LEVEL;
/// Levels in the wheel; past them, the overflow list.
const LEVELS: usize = 6;
/// Ticks covered by all the levels together (2^36 µs, about 19 hours).
const SPAN: u64 = 1 << (BITS_PER_LEVEL * LEVELS as u32);
/// "No entry": the end of a list or of the free chain.
const NIL: u32 = u32::MAX;
/// The list id of the overflow list (level lists are `level * SLOTS + slot`).
const OVERFLOW: u16 = (LEVELS * SLOTS) as u16;

/// Where the next piece of work is: a slot to fire or cascade.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Expiration {
    /// The tick at which the slot starts: advance cannot pass it without work.
    tick: u64,
    /// The list to process (`level * SLOTS + slot`, or `OVERFLOW`).
    list: u16,
}

/// The timer wheel. `T` is what a timer carries: a `Waker` in the runtime,
/// a plain number in the tests.
///
/// # Examples
///
/// ```
/// use minirt::time::Wheel;
/// let mut wheel = Wheel::new(0);
/// wheel.insert(70_000, "in 70 ms").unwrap();
/// // The next work is a cascade at 69 632 µs, where the timer's level-2
/// // slot (4 096 µs wide) starts: before the deadline itself.
/// assert_eq!(wheel.next_expiration(), Some(69_632));
/// let mut fired = Vec::new();
/// wheel.advance(70_000, &mut fired);
/// assert_eq!(fired, [(70_000, "in 70 ms")]);
/// ```
///
/// Invariants:
/// - every armed entry has `deadline > elapsed` and sits in exactly one list;
/// - a level's `occupied` bit is set exactly when that slot's list is non-empty;
/// - `elapsed` never passes the start of an occupied slot.
pub struct Wheel<T> {
    /// The tick the wheel has been advanced to.
    elapsed: u64,
    /// Head of each slot's list, level by level, then the overflow list.
    heads: [u32; LEVELS * SLOTS + 1],
    /// One bit per slot, per level: is that slot's list non-empty?
    occupied: [u64; LEVELS],
    /// No overflow timer is due before this tick (a bound: a cancelled
    /// timer may have set it lower, which costs one early refiling).
    overflow_earliest: u64,
    /// The slab of entries, armed or free.
    entries: Vec<Entry<T>>,
    /// Head of the chain of free slab entries.
    free: u32,
    /// Number of armed timers.
    len: usize,
}

/// One slab entry: an armed timer, or a free cell chained through `next`.
struct Entry<T> {
    /// The tick at which the timer is due.
    deadline: u64,
    /// What to hand back when it fires; `None` while the entry is free.
    payload: Option<T>,
    /// Previous entry in the same list, or `NIL`.
    prev: u32,
    /// Next entry in the same list (or the free chain), or `NIL`.
    next: u32,
    /// The list the entry is in.
    list: u16,
    /// Bumped each time the entry is freed, to spot stale keys.
    generation: u32,
}

mod list;
#[cfg(test)]
mod tests;

impl<T> Wheel<T> {
    /// An empty wheel whose time starts at tick `elapsed`.
    pub fn new(elapsed: u64) -> Self {
        Wheel {
            elapsed,
            heads: [NIL; LEVELS * SLOTS + 1],
            occupied: [0; LEVELS],
            overflow_earliest: u64::MAX,
            entries: Vec::new(),
            free: NIL,
            len: 0,
        }
    }

    /// Number of armed timers.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no timer is armed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Arms a timer due at `deadline`.
    ///
    /// # Errors
    ///
    /// A deadline not after the time reached is already due: the payload
    /// comes back and nothing is armed, so the caller can treat it as fired.
    pub fn insert(&mut self, deadline: u64, payload: T) -> Result<TimerKey, T> {
        if deadline <= self.elapsed {
            return Err(payload);
        }
        let index = self.allocate(deadline, payload);
        self.file(index);
        self.len += 1;
        Ok(TimerKey {
            index,
            generation: self.entries[index as usize].generation,
        })
    }

    /// The payload of an armed timer; `None` for a stale key.
    pub fn payload(&self, key: TimerKey) -> Option<&T> {
        let entry = self.entries.get(key.index as usize)?;
        (entry.generation == key.generation).then_some(entry.payload.as_ref()?)
    }

    /// Replaces the payload of an armed timer; a stale key is ignored.
    pub fn update(&mut self, key: TimerKey, payload: T) {
        if let Some(entry) = self.armed_mut(key) {
            entry.payload = Some(payload);
        }
    }

    /// Disarms a timer in O(1) (unlinks it from its slot's list) and
    /// returns its payload; `None` for a stale key.
    pub fn cancel(&mut self, key: TimerKey) -> Option<T> {
        self.armed_mut(key)?;
        self.unlink(key.index);
        self.len -= 1;
        Some(self.release(key.index))
    }

    /// The tick by which `advance` next has work: the start of the next
    /// slot to fire or cascade (see `next_slot`), never later than the
    /// earliest deadline. `None` when nothing is armed.
    pub fn next_expiration(&self) -> Option<u64> {
        self.next_slot().map(|slot| slot.tick)
    }

    /// Moves time forward to `now`, pushing every timer due by then into
    /// `fired` with its deadline: it fires or cascades one slot at a time,
    /// earliest slot first.
    pub fn advance(&mut self, now: u64, fired: &mut Vec<(u64, T)>) {
        while let Some(next) = self.next_slot() {
            if next.tick > now {
                break;
            }
            self.elapsed = next.tick;
            self.process(next.list, fired);
        }
        self.elapsed = self.elapsed.max(now);
    }
}

impl<T> Wheel<T> {
    /// The tick the wheel has reached: everything due at or before it fired.
    #[cfg(test)]
    pub(crate) fn elapsed(&self) -> u64 {
        self.elapsed
    }

    /// The next slot that needs work, if any timer is armed.
    ///
    /// Lower levels always expire before higher ones (see the filing rule), so
    /// the first occupied level holds the answer; within it, the first
    /// occupied slot after the current digit.
    fn next_slot(&self) -> Option<Expiration> {
        for level in 0..LEVELS {
            let occupied = self.occupied[level];
            if occupied == 0 {
                continue;
            }
            let shift = BITS_PER_LEVEL * level as u32;
            let slot = occupied.trailing_zeros() as u64;
            let level_start = self.elapsed & !((1u64 << (shift + BITS_PER_LEVEL)) - 1);
            return Some(Expiration {
                tick: level_start + (slot << shift),
                list: (level * SLOTS) as u16 + slot as u16,
            });
        }
        // Overflow is refiled at the 2^36 boundary where its earliest timer's
        // window starts, not at the very next one: a virtual clock then
        // reaches a deadline centuries away in one jump, not one per 19 h.
        let next_boundary = (self.elapsed | (SPAN - 1)).saturating_add(1);
        (self.heads[OVERFLOW as usize] != NIL).then(|| Expiration {
            tick: next_boundary.max(self.overflow_earliest & !(SPAN - 1)),
            list: OVERFLOW,
        })
    }

    /// Empties one list: due timers fire, the others cascade to a lower level
    /// (or stay in overflow).
    fn process(&mut self, list: u16, fired: &mut Vec<(u64, T)>) {
        if list == OVERFLOW {
            // Whatever stays in overflow sets the bound again as it is refiled.
            self.overflow_earliest = u64::MAX;
        }
        let mut index = self.take_list(list);
        while index != NIL {
            let next = self.entries[index as usize].next;
            let deadline = self.entries[index as usize].deadline;
            if deadline <= self.elapsed {
                self.len -= 1;
                fired.push((deadline, self.release(index)));
            } else {
                self.file(index);
            }
            index = next;
        }
    }

    /// Files an entry in the list its deadline belongs to, given `elapsed`.
    fn file(&mut self, index: u32) {
        let deadline = self.entries[index as usize].deadline;
        let differing = (self.elapsed ^ deadline) | (SLOTS as u64 - 1);
        let level = ((63 - differing.leading_zeros()) / BITS_PER_LEVEL) as usize;
        let list = if level < LEVELS {
            let slot = (deadline >> (BITS_PER_LEVEL * level as u32)) as usize % SLOTS;
            (level * SLOTS + slot) as u16
        } else {
            self.overflow_earliest = self.overflow_earliest.min(deadline);
            OVERFLOW
        };
        self.push_front(list, index);
    }

    /// The entry behind `key`, if it is still armed.
    fn armed_mut(&mut self, key: TimerKey) -> Option<&mut Entry<T>> {
        let entry = self.entries.get_mut(key.index as usize)?;
        (entry.generation == key.generation && entry.payload.is_some()).then_some(entry)
    }
}
