//! The wheel's storage: a slab of entries and the intrusive lists through it.
//!
//! Part of `wheel.rs`; read that first. Nothing here knows about time:
//! it only allocates and frees slab cells and links them into numbered lists
//! (one per slot, plus overflow), keeping each level's `occupied` bitmap true.

use super::{Entry, Wheel, LEVELS, NIL, OVERFLOW, SLOTS};

impl<T> Wheel<T> {
    /// Takes a free slab cell (or grows the slab) for a new timer.
    pub(super) fn allocate(&mut self, deadline: u64, payload: T) -> u32 {
        if self.free == NIL {
            let index = u32::try_from(self.entries.len()).expect("more than 4 billion timers");
            self.entries.push(Entry {
                deadline,
                payload: Some(payload),
                prev: NIL,
                next: NIL,
                list: OVERFLOW,
                generation: 0,
            });
            return index;
        }
        let index = self.free;
        let entry = &mut self.entries[index as usize];
        self.free = entry.next;
        entry.deadline = deadline;
        entry.payload = Some(payload);
        index
    }

    /// Returns an unlinked cell to the free chain and hands back its payload.
    /// Bumping the generation turns every key to it stale. A cell that has
    /// used its last generation is retired instead: a wrapped generation
    /// would let a key 2^32 reuses old cancel the newest timer.
    pub(super) fn release(&mut self, index: u32) -> T {
        let entry = &mut self.entries[index as usize];
        if entry.generation != u32::MAX {
            entry.generation += 1;
            entry.next = self.free;
            self.free = index;
        }
        entry.payload.take().expect("released a free timer entry")
    }

    /// Links an entry at the front of `list`.
    pub(super) fn push_front(&mut self, list: u16, index: u32) {
        let old_head = self.heads[list as usize];
        let entry = &mut self.entries[index as usize];
        entry.list = list;
        entry.prev = NIL;
        entry.next = old_head;
        if old_head != NIL {
            self.entries[old_head as usize].prev = index;
        }
        self.heads[list as usize] = index;
        self.mark(list, true);
    }

    /// Unlinks an entry from whatever list it is in, in O(1).
    pub(super) fn unlink(&mut self, index: u32) {
        let (list, prev, next) = {
            let entry = &self.entries[index as usize];
            (entry.list, entry.prev, entry.next)
        };
        if prev == NIL {
            self.heads[list as usize] = next;
        } else {
            self.entries[prev as usize].next = next;
        }
        if next != NIL {
            self.entries[next as usize].prev = prev;
        }
        if self.heads[list as usize] == NIL {
            self.mark(list, false);
        }
    }

    /// Detaches a whole list and returns its first entry; the entries keep
    /// their `next` links so the caller can walk them.
    pub(super) fn take_list(&mut self, list: u16) -> u32 {
        let head = core::mem::replace(&mut self.heads[list as usize], NIL);
        self.mark(list, false);
        head
    }

    /// Keeps the occupied bitmap in step with a slot list (overflow has none).
    fn mark(&mut self, list: u16, occupied: bool) {
        let list = list as usize;
        if list >= LEVELS * SLOTS {
            return;
        }
        let bit = 1u64 << (list % SLOTS);
        if occupied {
            self.occupied[list / SLOTS] |= bit;
        } else {
            self.occupied[list / SLOTS] &= !bit;
        }
    }
}
