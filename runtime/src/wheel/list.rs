//! The wheel's storage: a slab of entries and the slot arrays that file
//! them. Part of `wheel.rs`. Nothing here knows about time: it allocates
//! and frees entries and files them in numbered slots, keeping `occupied`
//! true.

use super::{Entry, Filed, Wheel, NIL, SLOTS};
use alloc::vec::Vec;

impl<T> Wheel<T> {
    /// Takes a free entry (or grows the slab) for a new timer.
    pub(super) fn allocate(&mut self, payload: T) -> u32 {
        let payload = Some(payload);
        if self.free == NIL {
            let index = u32::try_from(self.entries.len()).expect("more than 4 billion timers");
            let (list, place, generation) = (0, NIL, 0);
            self.entries.push(Entry {
                payload,
                list,
                place,
                generation,
            });
            return index;
        }
        let index = self.free;
        let entry = &mut self.entries[index as usize];
        self.free = entry.place;
        entry.payload = payload;
        index
    }

    /// Frees an entry no slot holds and hands back its payload. The new
    /// generation makes every key to it stale; an entry whose generations
    /// are used up is retired, so a key 2^32 reuses old matches nothing.
    pub(super) fn release(&mut self, index: u32) -> T {
        let entry = &mut self.entries[index as usize];
        if entry.generation != u32::MAX {
            entry.generation += 1;
            entry.place = self.free;
            self.free = index;
        }
        entry.payload.take().expect("released a free timer entry")
    }

    /// Files a timer at the end of slot `list`; its entry learns where (a
    /// write, which unlike a read does not wait for a cold line).
    pub(super) fn push(&mut self, list: u16, timer: Filed) {
        if self.slots.len() <= list as usize {
            self.slots.resize_with(list as usize + 1, Vec::new);
        }
        let slot = &mut self.slots[list as usize];
        let place = slot.len() as u32;
        slot.push(timer);
        let entry = &mut self.entries[timer.index as usize];
        (entry.list, entry.place) = (list, place);
        self.occupied[list as usize / SLOTS] |= 1 << (list as usize % SLOTS);
    }

    /// Takes an entry's timer out of its slot, in O(1): the last of the
    /// slot moves into its place.
    pub(super) fn remove(&mut self, index: u32) {
        let Entry { list, place, .. } = self.entries[index as usize];
        let slot = &mut self.slots[list as usize];
        slot.swap_remove(place as usize);
        if let Some(moved) = slot.get(place as usize) {
            self.entries[moved.index as usize].place = place;
        } else if slot.is_empty() {
            self.occupied[list as usize / SLOTS] &= !(1 << (list as usize % SLOTS));
        }
    }

    /// Takes a whole slot's timers out, for the caller to fire or refile.
    pub(super) fn take(&mut self, list: u16) -> Vec<Filed> {
        self.occupied[list as usize / SLOTS] &= !(1 << (list as usize % SLOTS));
        core::mem::take(&mut self.slots[list as usize])
    }
}
