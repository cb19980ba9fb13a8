//! The task registry: every live task, in a slab indexed by [`TaskKey`].
//!
//! Part of `executor.rs`. A slab (a `Vec` plus a free list) gives O(1)
//! insert, lookup and removal, and reuses memory as tasks come and go. Each
//! slot has a generation, bumped when it is vacated, so a waker whose task is
//! long gone carries a key that matches nothing.
//!
//! While a task is being polled its `Task` is taken out of the slab (the slot
//! says `Running`), so the task may spawn, abort or look up others without
//! the registry being borrowed.

use crate::task::{Task, TaskKey};
use alloc::vec::Vec;

/// One slab slot.
struct Slot {
    /// Bumped each time the slot is vacated.
    generation: u32,
    /// What the slot holds.
    state: State,
}

/// What a slot holds.
enum State {
    /// Free; `next` chains to the next free slot.
    Vacant {
        /// The next free slot, or `u32::MAX`.
        next: u32,
    },
    /// A task waiting to be polled.
    Idle(Task),
    /// A task out for a poll.
    Running {
        /// Whether it was aborted during that poll, to drop it afterwards.
        aborted: bool,
    },
}

/// The slab of live tasks.
pub(crate) struct Registry {
    /// The slots.
    slots: Vec<Slot>,
    /// First free slot, or `u32::MAX`.
    free: u32,
    /// Live tasks (idle or running).
    len: usize,
}

/// End of the free list.
const NONE: u32 = u32::MAX;

impl Registry {
    /// An empty registry.
    pub(crate) fn new() -> Self {
        Registry {
            slots: Vec::new(),
            free: NONE,
            len: 0,
        }
    }

    /// Number of live tasks.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The key the next inserted task will get (its waker needs it first).
    pub(crate) fn vacant_key(&mut self) -> TaskKey {
        if self.free == NONE {
            let index = u32::try_from(self.slots.len()).expect("more than 4 billion tasks");
            assert!(index != NONE, "more than 4 billion tasks");
            self.slots.push(Slot {
                generation: 0,
                state: State::Vacant { next: NONE },
            });
            self.free = index;
        }
        TaskKey::new(self.free, self.slots[self.free as usize].generation)
    }

    /// Stores a task under the key `vacant_key` just returned.
    pub(crate) fn insert(&mut self, key: TaskKey, task: Task) {
        let slot = &mut self.slots[key.index()];
        let State::Vacant { next } = slot.state else {
            unreachable!("insert into an occupied slot")
        };
        self.free = next;
        slot.state = State::Idle(task);
        self.len += 1;
    }

    /// Takes a task out to poll it; `None` for a stale key or a task that
    /// is already out (a wake raced a finished poll).
    pub(crate) fn begin_poll(&mut self, key: TaskKey) -> Option<Task> {
        let slot = self.slots.get_mut(key.index())?;
        if slot.generation != key.generation() || !matches!(slot.state, State::Idle(_)) {
            return None;
        }
        match core::mem::replace(&mut slot.state, State::Running { aborted: false }) {
            State::Idle(task) => Some(task),
            _ => unreachable!("checked above"),
        }
    }

    /// Puts a polled task back, or vacates its slot if it finished or was
    /// aborted meanwhile. Returns the task to drop, if any: the caller drops
    /// it outside the registry's borrow, as dropping a future runs user code.
    pub(crate) fn end_poll(&mut self, key: TaskKey, task: Task, finished: bool) -> Option<Task> {
        let slot = &mut self.slots[key.index()];
        let State::Running { aborted } = slot.state else {
            unreachable!("end_poll of a task that was not running")
        };
        if finished || aborted {
            self.vacate(key.index());
            return Some(task);
        }
        slot.state = State::Idle(task);
        None
    }

    /// Removes a task for an abort. An idle task comes back to be dropped;
    /// a running one is marked, and `end_poll` drops it.
    pub(crate) fn remove(&mut self, key: TaskKey) -> Option<Task> {
        let slot = self.slots.get_mut(key.index())?;
        if slot.generation != key.generation() {
            return None;
        }
        match &mut slot.state {
            State::Running { aborted } => {
                *aborted = true;
                None
            }
            State::Idle(_) => match self.vacate(key.index()) {
                State::Idle(task) => Some(task),
                _ => unreachable!("checked above"),
            },
            State::Vacant { .. } => None,
        }
    }

    /// The task under `key`, unless it is stale or out for a poll.
    pub(crate) fn get(&self, key: TaskKey) -> Option<&Task> {
        let slot = self.slots.get(key.index())?;
        match &slot.state {
            State::Idle(task) if slot.generation == key.generation() => Some(task),
            _ => None,
        }
    }

    /// Every task not out for a poll.
    pub(crate) fn idle_tasks(&self) -> impl Iterator<Item = &Task> {
        self.slots.iter().filter_map(|slot| match &slot.state {
            State::Idle(task) => Some(task),
            _ => None,
        })
    }

    /// Takes every idle task out, for a shutdown.
    pub(crate) fn drain(&mut self) -> Vec<Task> {
        let mut tasks = Vec::with_capacity(self.len);
        for index in 0..self.slots.len() {
            if matches!(self.slots[index].state, State::Idle(_)) {
                if let State::Idle(task) = self.vacate(index) {
                    tasks.push(task);
                }
            }
        }
        tasks
    }

    /// Frees a slot and returns what it held.
    fn vacate(&mut self, index: usize) -> State {
        let slot = &mut self.slots[index];
        slot.generation = slot.generation.wrapping_add(1);
        let old = core::mem::replace(&mut slot.state, State::Vacant { next: self.free });
        self.free = index as u32;
        self.len -= 1;
        old
    }
}
