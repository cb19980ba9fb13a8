//! The wheel's storage: a slab of entries and the lists linked through it.
//! Part of `wheel.rs`. Nothing here knows about time: it allocates and frees
//! entries and links them into numbered lists, keeping `occupied` true.

use super::{Entry, Wheel, NIL, SLOTS};

impl<T> Wheel<T> {
    /// Takes a free entry (or grows the slab) for a new timer.
    pub(super) fn allocate(&mut self, deadline: u64, payload: T) -> u32 {
        let payload = Some(payload);
        if self.free == NIL {
            let index = u32::try_from(self.entries.len()).expect("more than 4 billion timers");
            let (prev, next, list, generation) = (NIL, NIL, 0, 0);
            self.entries.push(Entry {
                deadline,
                payload,
                prev,
                next,
                list,
                generation,
            });
            return index;
        }
        let index = self.free;
        let entry = &mut self.entries[index as usize];
        self.free = entry.next;
        (entry.deadline, entry.payload) = (deadline, payload);
        index
    }

    /// Frees an unlinked entry and hands back its payload. The new
    /// generation makes every key to it stale; an entry whose generations
    /// are used up is retired, so a key 2^32 reuses old matches nothing.
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
        let head = self.heads[list as usize];
        let entry = &mut self.entries[index as usize];
        (entry.list, entry.prev, entry.next) = (list, NIL, head);
        if head != NIL {
            self.entries[head as usize].prev = index;
        }
        self.heads[list as usize] = index;
        self.occupied[list as usize / SLOTS] |= 1 << (list as usize % SLOTS);
    }

    /// Unlinks an entry from its list, in O(1).
    pub(super) fn unlink(&mut self, index: u32) {
        let Entry {
            list, prev, next, ..
        } = self.entries[index as usize];
        match prev {
            NIL => self.heads[list as usize] = next,
            prev => self.entries[prev as usize].next = next,
        }
        if next != NIL {
            self.entries[next as usize].prev = prev;
        }
        if self.heads[list as usize] == NIL {
            self.occupied[list as usize / SLOTS] &= !(1 << (list as usize % SLOTS));
        }
    }

    /// Detaches a whole list and returns its first entry; the entries keep
    /// their `next` links for the caller to walk.
    pub(super) fn take_list(&mut self, list: u16) -> u32 {
        self.occupied[list as usize / SLOTS] &= !(1 << (list as usize % SLOTS));
        core::mem::replace(&mut self.heads[list as usize], NIL)
    }
}
