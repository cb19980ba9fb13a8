//! [`Slab`]: numbered cells with generations, behind the heap's and the
//! ordered map's [`TimerKey`]s.
//!
//! Part of `queues.rs`. The wheel has its own slab (`wheel/list.rs`)
//! because its cells double as list links; the heap and the map need only
//! "store this, give me a key, and let the key go stale when it is freed".
//! Freed cells are reused last-in first-out, so a busy queue keeps touching
//! the same few cells, which stay in cache.

use super::TimerKey;
use alloc::vec::Vec;

/// A vector of cells, armed or free, plus a stack of the free ones.
///
/// Invariants:
/// - a cell's `value` is `Some` exactly when its index is not in `free`;
/// - a key is live exactly when its cell's generation matches and the cell
///   is armed.
pub(super) struct Slab<E> {
    /// Every cell ever allocated.
    cells: Vec<Cell<E>>,
    /// Indices of the free cells, the most recently freed last.
    free: Vec<u32>,
}

/// One cell: a value, or nothing while free.
struct Cell<E> {
    /// Bumped each time the cell is freed, to spot stale keys.
    generation: u32,
    /// The armed value; `None` while free.
    value: Option<E>,
}

impl<E> Slab<E> {
    /// An empty slab.
    pub(super) fn new() -> Self {
        Slab {
            cells: Vec::new(),
            free: Vec::new(),
        }
    }

    /// Stores `value` in a free cell (or a new one) and returns its key.
    pub(super) fn insert(&mut self, value: E) -> TimerKey {
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                let index = u32::try_from(self.cells.len()).expect("more than 4 billion timers");
                self.cells.push(Cell {
                    generation: 0,
                    value: None,
                });
                index
            }
        };
        let cell = &mut self.cells[index as usize];
        cell.value = Some(value);
        TimerKey {
            index,
            generation: cell.generation,
        }
    }

    /// The value behind a live key.
    pub(super) fn get(&self, key: TimerKey) -> Option<&E> {
        let cell = self.cells.get(key.index as usize)?;
        (cell.generation == key.generation).then_some(cell.value.as_ref()?)
    }

    /// The value behind a live key, to change it.
    pub(super) fn get_mut(&mut self, key: TimerKey) -> Option<&mut E> {
        let cell = self.cells.get_mut(key.index as usize)?;
        (cell.generation == key.generation).then_some(cell.value.as_mut()?)
    }

    /// The value in an armed cell, by index: for a queue that keeps indices
    /// of its own (the heap's array, the map's keys), which are never stale.
    pub(super) fn at_mut(&mut self, index: u32) -> &mut E {
        let cell = &mut self.cells[index as usize];
        cell.value.as_mut().expect("an armed slab cell")
    }

    /// Frees the cell of a live key and returns its value; `None` if stale.
    pub(super) fn remove(&mut self, key: TimerKey) -> Option<E> {
        self.get(key)?;
        Some(self.remove_at(key.index))
    }

    /// Frees an armed cell by index; every key to it goes stale.
    ///
    /// A cell that has used its last generation is retired, never reused:
    /// with wrapping generations a key 2^32 reuses old would name the new
    /// timer, and cancel it.
    pub(super) fn remove_at(&mut self, index: u32) -> E {
        let cell = &mut self.cells[index as usize];
        if cell.generation != u32::MAX {
            cell.generation += 1;
            self.free.push(index);
        }
        cell.value.take().expect("an armed slab cell")
    }
}

#[cfg(test)]
mod tests {
    use super::Slab;

    #[test]
    fn a_cell_whose_generations_ran_out_is_retired() {
        let mut slab = Slab::new();
        let old = slab.insert("old");
        slab.remove_at(old.index);
        slab.cells[old.index as usize].generation = u32::MAX; // 2^32 - 2 reuses on
        let last = slab.insert("last");
        assert_eq!(last.index, old.index);
        slab.remove_at(last.index);
        let new = slab.insert("new");
        assert_ne!(new.index, old.index, "a wrapped generation reissues `old`");
        assert_eq!(slab.get(old), None);
        assert_eq!(slab.get(new), Some(&"new"));
    }
}
