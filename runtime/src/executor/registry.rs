//! The task registry: every live task, in a slab indexed by [`TaskKey`].
//!
//! Part of `executor.rs`. A slab (a `Vec` plus a free list) gives O(1)
//! insert, lookup and removal, and reuses memory as tasks come and go. Each
//! slot has a generation, bumped when it is vacated, so a waker whose task is
//! long gone carries a key that matches nothing.
//!
//! While a task is being polled its `Task` is taken out of the slab (the slot
//! says `Running`), so the task may spawn, abort or look up others without
//! the registry being borrowed. A finished task leaves its body (with the
//! outcome inside) in its slot until its `JoinHandle` takes it: that side is
//! `registry/outcomes.rs`.

use crate::task::{Body, Task, TaskKey};
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::pin::Pin;
use core::task::Waker;

mod outcomes;

pub(crate) use outcomes::Joined;

/// One slab slot.
struct Slot {
    /// Bumped each time the slot is vacated.
    generation: u32,
    /// What the slot holds.
    state: State,
    /// Who awaits the task's `JoinHandle`, to wake when the task ends.
    joiner: Option<Waker>,
    /// Whether the handle was dropped: the outcome is then dropped at once.
    detached: bool,
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
    /// A finished task's body, holding the outcome until the handle takes it.
    Finished(Pin<Box<dyn Body>>),
}

/// What leaves the registry with a task. The caller lets go of it once the
/// registry is released: dropping a future or an output runs user code, and
/// so may waking a waker the registry did not make.
#[derive(Default)]
#[must_use = "leftovers must be released outside the registry's borrow"]
pub(crate) struct Leftovers {
    /// A task that will never be polled again.
    pub(crate) task: Option<Task>,
    /// A finished body nobody will collect.
    body: Option<Pin<Box<dyn Body>>>,
    /// Someone awaiting the task's handle, to wake now that it ended.
    joiner: Option<Waker>,
}

impl Leftovers {
    /// Drops the task or body, then wakes the joiner.
    pub(crate) fn release(self) {
        drop(self.task);
        drop(self.body);
        if let Some(joiner) = self.joiner {
            joiner.wake();
        }
    }
}

/// The slab of live tasks.
pub(crate) struct Registry {
    /// The slots.
    slots: Vec<Slot>,
    /// First free slot, or `u32::MAX`.
    free: u32,
    /// Live tasks (idle or running, not finished).
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
                joiner: None,
                detached: false,
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
    /// is not idle (a wake raced a finished poll).
    pub(crate) fn begin_poll(&mut self, key: TaskKey) -> Option<Task> {
        let slot = self.slot_mut(key)?;
        if !matches!(slot.state, State::Idle(_)) {
            return None;
        }
        match core::mem::replace(&mut slot.state, State::Running { aborted: false }) {
            State::Idle(task) => Some(task),
            _ => unreachable!("checked above"),
        }
    }

    /// Puts a polled task back; `None` in the common case, a task still
    /// pending. A finished task leaves its body for the handle (or,
    /// detached, leaves nothing); an aborted one leaves nothing.
    pub(crate) fn end_poll(
        &mut self,
        key: TaskKey,
        task: Task,
        finished: bool,
    ) -> Option<Leftovers> {
        let slot = &mut self.slots[key.index()];
        let State::Running { aborted } = slot.state else {
            unreachable!("end_poll of a task that was not running")
        };
        if !finished && !aborted {
            slot.state = State::Idle(task);
            return None;
        }
        if aborted || slot.detached {
            return Some(Leftovers {
                task: Some(task),
                ..self.vacate(key.index())
            });
        }
        // The waker, name and wait go now; only the outcome is kept.
        slot.state = State::Finished(task.body);
        self.len -= 1;
        Some(Leftovers {
            joiner: slot.joiner.take(),
            ..Leftovers::default()
        })
    }

    /// Removes a task for an abort. An idle task comes back to be dropped;
    /// a running one is marked, and `end_poll` drops it. A finished task
    /// keeps its outcome.
    pub(crate) fn remove(&mut self, key: TaskKey) -> Leftovers {
        let Some(slot) = self.slot_mut(key) else {
            return Leftovers::default();
        };
        match &mut slot.state {
            State::Running { aborted } => {
                *aborted = true;
                Leftovers::default()
            }
            State::Idle(_) => self.vacate(key.index()),
            State::Finished(_) | State::Vacant { .. } => Leftovers::default(),
        }
    }

    /// The task under `key`, unless it is stale, finished or out for a poll.
    pub(crate) fn get(&self, key: TaskKey) -> Option<&Task> {
        let slot = self.slots.get(key.index())?;
        match &slot.state {
            State::Idle(task) if slot.generation == key.generation() => Some(task),
            _ => None,
        }
    }

    /// Every task not out for a poll and not finished.
    pub(crate) fn idle_tasks(&self) -> impl Iterator<Item = &Task> {
        self.slots.iter().filter_map(|slot| match &slot.state {
            State::Idle(task) => Some(task),
            _ => None,
        })
    }

    /// Empties the registry, for a shutdown: every idle task and every
    /// uncollected outcome.
    pub(crate) fn drain(&mut self) -> Vec<Leftovers> {
        (0..self.slots.len())
            .filter(|&index| matches!(self.slots[index].state, State::Idle(_) | State::Finished(_)))
            .collect::<Vec<_>>()
            .into_iter()
            .map(|index| self.vacate(index))
            .collect()
    }

    /// The slot `key` names, unless the key is stale.
    fn slot_mut(&mut self, key: TaskKey) -> Option<&mut Slot> {
        let slot = self.slots.get_mut(key.index())?;
        (slot.generation == key.generation()).then_some(slot)
    }

    /// Frees a slot and returns what it held.
    fn vacate(&mut self, index: usize) -> Leftovers {
        let slot = &mut self.slots[index];
        slot.generation = slot.generation.wrapping_add(1);
        slot.detached = false;
        let joiner = slot.joiner.take();
        let old = core::mem::replace(&mut slot.state, State::Vacant { next: self.free });
        self.free = index as u32;
        let (task, body) = match old {
            State::Idle(task) => (Some(task), None),
            State::Running { .. } => (None, None),
            // A finished task no longer counts as live.
            State::Finished(body) => {
                return Leftovers {
                    task: None,
                    body: Some(body),
                    joiner,
                }
            }
            State::Vacant { .. } => unreachable!("vacating a vacant slot"),
        };
        self.len -= 1;
        Leftovers { task, body, joiner }
    }
}
