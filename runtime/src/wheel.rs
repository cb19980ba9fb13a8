//! The hierarchical hashed timer wheel, where every pending `sleep` waits.
//! Read this after `clock.rs`; it uses nothing else in minirt.
//!
//! A binary heap costs O(log n) per insert and per cancel (`queues/heap.rs`
//! shows it). A hashed wheel (Varghese & Lauck, 1987) files each timer in a
//! slot picked from the bits of its deadline: insert and cancel are O(1),
//! and the sorting is spread out as the wheel turns.
//!
//! One tick is a microsecond. Each level has 64 slots; one slot of a level
//! spans a whole turn of the level below:
//!
//! | level | one slot | whole level |
//! |-------|----------|-------------|
//! | 0     | 1 µs     | 64 µs       |
//! | 1     | 64 µs    | ~4.1 ms     |
//! | 2     | ~4.1 ms  | ~262 ms     |
//! | 3     | ~262 ms  | ~16.8 s     |
//! | 4     | ~16.8 s  | ~17.9 min   |
//! | 5     | ~17.9 min| ~19.1 h     |
//! | 10    | 2^60 µs  | all of `u64`|
//!
//! Eleven levels cover every tick, so there is no overflow list: a deadline
//! centuries away (`Duration::MAX`) is filed like any other.
//!
//! - **Filing.** A timer goes to the level of the highest 6-bit digit in
//!   which its deadline differs from `elapsed`, in the slot that digit names.
//!   So lower levels always expire first.
//! - **Cascade.** When `elapsed` reaches the start of an occupied slot above
//!   level 0, its timers are filed again: they now share one more digit with
//!   `elapsed`, so each drops a level. A timer moves at most ten times.
//!
//! Entries (a timer's payload) live in a slab. A slot is an array of
//! (deadline, entry) pairs, and an entry records its place in it, so cancel
//! swap-removes in O(1) (`wheel/list.rs`). A cascade reads a slot's pairs
//! in order and refiles them with appends: it reads no entry. Among a
//! million timers every entry is a cache miss; when slots were linked lists
//! through the entries, perf put 86 % of the wheel's time on that read.

use alloc::vec::Vec;

/// A ticket for one armed timer. It stops working once the timer fired or
/// was cancelled, even if its entry is reused: the generation differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerKey {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

/// Bits of the deadline one level consumes: 64 slots.
const BITS: u32 = 6;
const SLOTS: usize = 1 << BITS;
/// Enough levels for every `u64` deadline (11 × 6 ≥ 64).
const LEVELS: usize = 11;
/// "No entry": the end of the free chain.
const NIL: u32 = u32::MAX;
/// A slot array keeps its memory for the next turn up to this many timers.
const KEPT: usize = 1024;

/// The timer wheel. `T` is what a timer carries: a `Waker` in the runtime.
///
/// ```
/// use minirt::time::Wheel;
/// let mut wheel = Wheel::new(0);
/// wheel.insert(70_000, "in 70 ms").unwrap();
/// // The next work is the cascade of its level-2 slot, which starts first.
/// assert_eq!(wheel.next_expiration(), Some(69_632));
/// let mut fired = Vec::new();
/// wheel.advance(70_000, &mut fired);
/// assert_eq!(fired, [(70_000, "in 70 ms")]);
/// ```
///
/// Invariants: every armed entry has `deadline > elapsed` and is filed in
/// one slot, at the place it records; an `occupied` bit is set exactly when
/// its slot is non-empty; `elapsed` never passes the start of an occupied
/// slot.
pub struct Wheel<T> {
    /// The tick the wheel has been advanced to.
    elapsed: u64,
    /// Each slot's timers (`level * SLOTS + slot`), in no order; grown to
    /// the highest slot used, so that a board whose timers stay on the low
    /// levels holds no array headers for the high ones.
    slots: Vec<Vec<Filed>>,
    /// One bit per slot, per level: is it non-empty?
    occupied: [u64; LEVELS],
    entries: Vec<Entry<T>>,
    /// Head of the chain of free entries.
    free: u32,
    len: usize,
}

/// A timer as its slot holds it: what a cascade needs, without the entry.
#[derive(Clone, Copy)]
struct Filed {
    deadline: u64,
    index: u32,
}

/// An armed timer, or a free cell chained through `place`.
struct Entry<T> {
    /// `None` while the entry is free.
    payload: Option<T>,
    /// The slot it is filed in.
    list: u16,
    /// Its index in that slot's array; the next free entry while free.
    place: u32,
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
            slots: Vec::new(),
            occupied: [0; LEVELS],
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
    /// A deadline the wheel has reached is due already: the payload comes
    /// back and nothing is armed.
    pub fn insert(&mut self, deadline: u64, payload: T) -> Result<TimerKey, T> {
        if deadline <= self.elapsed {
            return Err(payload);
        }
        let index = self.allocate(payload);
        self.file(Filed { deadline, index });
        self.len += 1;
        let generation = self.entries[index as usize].generation;
        Ok(TimerKey { index, generation })
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

    /// Disarms a timer in O(1) and returns its payload; `None` if stale.
    pub fn cancel(&mut self, key: TimerKey) -> Option<T> {
        self.armed_mut(key)?;
        self.remove(key.index);
        self.len -= 1;
        Some(self.release(key.index))
    }

    /// The tick by which `advance` next has work (a slot to fire or
    /// cascade), never after the earliest deadline; `None` when empty.
    pub fn next_expiration(&self) -> Option<u64> {
        self.next_slot().map(|(tick, _)| tick)
    }

    /// Moves time to `now`, pushing every timer due by then into `fired`
    /// with its deadline, one slot at a time, earliest first.
    pub fn advance(&mut self, now: u64, fired: &mut Vec<(u64, T)>) {
        while let Some((tick, list)) = self.next_slot().filter(|&(tick, _)| tick <= now) {
            self.elapsed = tick;
            self.process(list, fired);
        }
        self.elapsed = self.elapsed.max(now);
    }

    /// The tick the wheel has reached: every timer due by then has fired.
    pub fn reached(&self) -> u64 {
        self.elapsed
    }

    /// The next slot with work, as (its start tick, its list): the first
    /// occupied slot of the lowest occupied level.
    fn next_slot(&self) -> Option<(u64, u16)> {
        let level = self.occupied.iter().position(|&bits| bits != 0)?;
        let shift = BITS * level as u32;
        let slot = u64::from(self.occupied[level].trailing_zeros());
        // The digits above this level are `elapsed`'s (the filing rule).
        let above = u64::MAX.checked_shl(shift + BITS).unwrap_or(0);
        let list = (level * SLOTS) as u16 + slot as u16;
        Some(((self.elapsed & above) + (slot << shift), list))
    }

    /// Empties one slot: due timers fire, the others drop a level.
    fn process(&mut self, list: u16, fired: &mut Vec<(u64, T)>) {
        let mut filed = self.take(list);
        for timer in filed.drain(..) {
            if timer.deadline <= self.elapsed {
                self.len -= 1;
                fired.push((timer.deadline, self.release(timer.index)));
            } else {
                self.file(timer);
            }
        }
        // Refiled timers went to lower levels, never back here.
        if filed.capacity() <= KEPT {
            self.slots[list as usize] = filed;
        }
    }

    /// Files a timer in the slot its deadline belongs to, given `elapsed`.
    fn file(&mut self, timer: Filed) {
        let differing = (self.elapsed ^ timer.deadline) | (SLOTS as u64 - 1);
        let level = (63 - differing.leading_zeros()) / BITS;
        let slot = (timer.deadline >> (BITS * level)) as usize % SLOTS;
        self.push((level as usize * SLOTS + slot) as u16, timer);
    }

    /// The entry behind `key`, if it is still armed.
    fn armed_mut(&mut self, key: TimerKey) -> Option<&mut Entry<T>> {
        let entry = self.entries.get_mut(key.index as usize)?;
        (entry.generation == key.generation && entry.payload.is_some()).then_some(entry)
    }
}
