//! The task registry: every live task, in a slab indexed by [`TaskKey`].
//!
//! Part of `executor.rs`. A slab (a `Vec` plus a free list) gives O(1)
//! insert, lookup and removal, and reuses memory as tasks come and go. Each
//! slot has a generation, bumped when it is vacated, so a waker whose task is
//! long gone carries a key that matches nothing. A slot whose generation
//! has reached its last value is retired rather than reused: no key is ever
//! issued twice, however long the runtime lives.
//!
//! While a task is being polled (or cancelled) its `Task` is taken out of
//! the slab (the slot says `Running`), so the task may spawn, abort or look
//! up others without the registry being borrowed. A task that ends, by
//! finishing or by being cancelled, leaves its body (with the outcome
//! inside) in its slot until its `JoinHandle` takes it: that side is
//! `registry/outcomes.rs`, and it is why the loop and the handles share the
//! registry ([`Tasks`]): a finished task's output outlives its runtime, as
//! it does in tokio and async-executor.

use crate::task::{drop_quietly, Body, Task, TaskKey};
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::pin::Pin;
use core::task::Waker;

mod outcomes;

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
        /// The next free slot, or `NONE`.
        next: u32,
    },
    /// A task waiting to be polled.
    Idle(Task),
    /// A task out of the slab: being polled, or being cancelled.
    Running {
        /// Whether it was aborted meanwhile, to cancel it afterwards.
        aborted: bool,
    },
    /// An ended task's body, holding the outcome until the handle takes it.
    Finished(Pin<Box<dyn Body>>),
}

/// What leaves the registry when a task ends. The caller lets go of it once
/// the registry is released: dropping an output runs user code, and so may
/// waking a waker the registry did not make.
#[derive(Default)]
#[must_use = "leftovers must be released outside the registry's borrow"]
pub(crate) struct Leftovers {
    /// An ended body nobody will collect.
    body: Option<Pin<Box<dyn Body>>>,
    /// Someone awaiting the task's handle, to wake now that it ended.
    joiner: Option<Waker>,
}

impl Leftovers {
    /// Drops the body (a panic in an output's destructor has no one to go
    /// to), then wakes the joiner.
    pub(crate) fn release(self) {
        if let Some(body) = self.body {
            drop_quietly(body);
        }
        if let Some(joiner) = self.joiner {
            joiner.wake();
        }
    }
}

/// The registry, as the loop and every `JoinHandle` share it.
pub(crate) struct Tasks(RefCell<Registry>);

impl core::ops::Deref for Tasks {
    type Target = RefCell<Registry>;

    fn deref(&self) -> &RefCell<Registry> {
        &self.0
    }
}

impl Tasks {
    /// No tasks yet.
    pub(crate) fn new() -> Self {
        Tasks(RefCell::new(Registry::new()))
    }

    /// Ends a task taken out of the slab for good: a finished one keeps its
    /// outcome, any other is cancelled first (its future dropped, a panic
    /// in that drop contained). The handle finds the outcome in the slot.
    pub(crate) fn end(&self, key: TaskKey, task: Task, finished: bool) {
        let Task { mut body, .. } = task;
        if !finished {
            body.as_mut().cancel();
        }
        let ended = self.borrow_mut().finish(key, body);
        ended.release();
    }

    /// Cancels the task under `key` now, or after its current poll. A task
    /// that already ended keeps its outcome.
    pub(crate) fn abort(&self, key: TaskKey) {
        let taken = self.borrow_mut().take_for_cancel(key);
        if let Some(task) = taken {
            self.end(key, task, false);
        }
    }

    /// Cancels every task still pending, and those their destructors spawn,
    /// until none is left: a runtime's shutdown. Returns each one's id and
    /// name first, through `each`.
    pub(crate) fn cancel_all(&self, mut each: impl FnMut(&Task)) {
        loop {
            let pending = self.borrow_mut().take_all_idle();
            if pending.is_empty() {
                return;
            }
            for (key, task) in pending {
                each(&task);
                self.end(key, task, false);
            }
        }
    }
}

/// The slab of live tasks.
pub(crate) struct Registry {
    /// The slots.
    slots: Vec<Slot>,
    /// First free slot, or `NONE`.
    free: u32,
    /// Live tasks (idle or running, not ended).
    len: usize,
}

/// End of the free list.
const NONE: u32 = u32::MAX;

impl Registry {
    /// An empty registry.
    fn new() -> Self {
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
        take_idle(slot, false)
    }

    /// Puts a polled task back if it is still pending and was not aborted;
    /// otherwise hands it back to be ended (`Tasks::end`), its slot kept.
    pub(crate) fn end_poll(&mut self, key: TaskKey, task: Task, finished: bool) -> Option<Task> {
        let slot = &mut self.slots[key.index()];
        let State::Running { aborted } = slot.state else {
            unreachable!("end_poll of a task that was not running")
        };
        if finished || aborted {
            return Some(task);
        }
        slot.state = State::Idle(task);
        None
    }

    /// Takes an idle task out to cancel it; a running one is marked, and
    /// its poll's end hands it over. An ended task keeps its outcome.
    fn take_for_cancel(&mut self, key: TaskKey) -> Option<Task> {
        let slot = self.slot_mut(key)?;
        if let State::Running { aborted } = &mut slot.state {
            *aborted = true;
            return None;
        }
        take_idle(slot, true)
    }

    /// Takes every idle task out, to cancel them all.
    fn take_all_idle(&mut self) -> Vec<(TaskKey, Task)> {
        let mut taken = Vec::new();
        for (index, slot) in self.slots.iter_mut().enumerate() {
            let key = TaskKey::new(index as u32, slot.generation);
            if let Some(task) = take_idle(slot, true) {
                taken.push((key, task));
            }
        }
        taken
    }

    /// Stores an ended task's body for its handle (a detached task's is
    /// dropped), and hands back whoever awaits the handle, to wake.
    fn finish(&mut self, key: TaskKey, body: Pin<Box<dyn Body>>) -> Leftovers {
        let slot = &mut self.slots[key.index()];
        debug_assert!(matches!(slot.state, State::Running { .. }));
        self.len -= 1;
        if slot.detached {
            let mut vacated = self.vacate(key.index());
            vacated.body = Some(body);
            return vacated;
        }
        slot.state = State::Finished(body);
        Leftovers {
            body: None,
            joiner: slot.joiner.take(),
        }
    }

    /// The task under `key`, unless it is stale, ended or out for a poll.
    pub(crate) fn get(&self, key: TaskKey) -> Option<&Task> {
        let slot = self.slots.get(key.index())?;
        match &slot.state {
            State::Idle(task) if slot.generation == key.generation() => Some(task),
            _ => None,
        }
    }

    /// Every task not out for a poll and not ended, with its key.
    pub(crate) fn idle_tasks(&self) -> impl Iterator<Item = (TaskKey, &Task)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(index, slot)| match &slot.state {
                State::Idle(task) => Some((TaskKey::new(index as u32, slot.generation), task)),
                _ => None,
            })
    }

    /// Every waker kept to be woken when a task ends, with that task's key.
    pub(crate) fn joiners(&self) -> impl Iterator<Item = (TaskKey, &Waker)> {
        self.slots.iter().enumerate().filter_map(|(index, slot)| {
            let joiner = slot.joiner.as_ref()?;
            Some((TaskKey::new(index as u32, slot.generation), joiner))
        })
    }

    /// The slot `key` names, unless the key is stale.
    fn slot_mut(&mut self, key: TaskKey) -> Option<&mut Slot> {
        let slot = self.slots.get_mut(key.index())?;
        let live =
            slot.generation == key.generation() && !matches!(slot.state, State::Vacant { .. });
        live.then_some(slot)
    }

    /// Frees an ended task's slot (its body already taken or going with
    /// the leftovers) and returns the joiner.
    fn vacate(&mut self, index: usize) -> Leftovers {
        let slot = &mut self.slots[index];
        slot.detached = false;
        let joiner = slot.joiner.take();
        let body = match core::mem::replace(&mut slot.state, State::Vacant { next: NONE }) {
            State::Finished(body) => Some(body),
            State::Running { .. } => None,
            State::Idle(_) | State::Vacant { .. } => unreachable!("vacating a live or free slot"),
        };
        // Every generation of this slot has been issued: keep it out of the
        // free list, so no key can ever match a second task.
        if slot.generation != u32::MAX {
            slot.generation += 1;
            slot.state = State::Vacant { next: self.free };
            self.free = index as u32;
        }
        Leftovers { body, joiner }
    }
}

/// Takes an idle task out of its slot, which says `Running` until the task
/// is put back or ended.
fn take_idle(slot: &mut Slot, aborted: bool) -> Option<Task> {
    if !matches!(slot.state, State::Idle(_)) {
        return None;
    }
    match core::mem::replace(&mut slot.state, State::Running { aborted }) {
        State::Idle(task) => Some(task),
        _ => unreachable!("checked above"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::TaskId;
    use crate::waker::{ReadyQueue, TaskWaker};
    use alloc::sync::Arc;

    /// A task that never finishes, under `key`.
    fn pending_task(key: TaskKey) -> Task {
        let waker = Arc::new(TaskWaker::new(
            key,
            Arc::new(ReadyQueue::new(Arc::new(std::thread::current()))),
        ));
        Task::new(core::future::pending::<()>(), waker, TaskId(1), None)
    }

    /// Spawns a task, then cancels it, in one slot.
    fn spawn_and_cancel(tasks: &Tasks) -> TaskKey {
        let key = tasks.borrow_mut().vacant_key();
        tasks.borrow_mut().insert(key, pending_task(key));
        tasks.abort(key);
        tasks.borrow_mut().detach(key).release();
        key
    }

    #[test]
    fn a_slot_whose_generations_ran_out_is_retired_not_reused() {
        let tasks = Tasks::new();
        let first = spawn_and_cancel(&tasks);
        // As if the slot had been used 2^32 - 2 times more.
        tasks.borrow_mut().slots[first.index()].generation = u32::MAX;
        let last = spawn_and_cancel(&tasks);
        assert_eq!((last.index(), last.generation()), (first.index(), u32::MAX));
        // A wrapping generation would give the next task `first`'s key.
        let next = tasks.borrow_mut().vacant_key();
        assert_ne!(next, first);
        tasks.borrow_mut().insert(next, pending_task(next));
        assert!(tasks.borrow().is_finished(first));
        assert!(tasks.borrow().get(first).is_none());
        assert!(!tasks.borrow().is_finished(next));
    }
}
