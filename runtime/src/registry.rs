//! Where tasks live: a slab keyed by [`TaskKey`], shared by the loop and
//! every `JoinHandle`. Read this after `waker.rs`.
//!
//! A slab (a `Vec` and a free list) gives O(1) insert, lookup and removal.
//! A slot's generation is bumped when it is vacated, so a stale key matches
//! nothing; a slot whose generations are used up is retired.
//!
//! A task being polled is out of its slot (which says `Running`), so it may
//! spawn, abort or join others with the registry unborrowed. An ended task's
//! body, outcome inside, stays until its handle takes it, even after the
//! runtime is gone, as in tokio: so the registry is an `Rc` the handles share.
//!
//! Rule: no user code runs while the registry is borrowed. A body's drop or
//! a joiner's wake may run any, so they leave as [`Leftovers`], released
//! after the borrow ends.

use crate::task::{drop_quietly, Body, TaskId, TaskKey};
use crate::waker::TaskWaker;
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

/// A spawned task as the registry holds it.
pub(crate) struct Task {
    pub(crate) body: Pin<Box<dyn Body>>,
    /// Its waker's data, to clear `scheduled` before each poll, and the
    /// same as a `Waker`, made once, not per poll.
    pub(crate) waker: Arc<TaskWaker>,
    pub(crate) context_waker: Waker,
    pub(crate) id: TaskId,
    pub(crate) name: Option<Box<str>>,
}

impl Task {
    /// Polls the task once; `Ready` means it is finished.
    pub(crate) fn poll(&mut self) -> Poll<()> {
        self.waker.clear_scheduled();
        self.body
            .as_mut()
            .poll(&mut Context::from_waker(&self.context_waker))
    }
}

struct Slot {
    generation: u32,
    state: State,
    /// Who awaits the task's handle, to wake when it ends.
    joiner: Option<Waker>,
    /// The handle was dropped: the outcome is dropped as soon as it exists.
    detached: bool,
}

enum State {
    Vacant {
        next: u32,
    },
    Idle(Task),
    /// Out for a poll or a cancel; `aborted` meanwhile: cancel it after.
    Running {
        aborted: bool,
    },
    Finished(Pin<Box<dyn Body>>),
}

/// End of the free list.
const NONE: u32 = u32::MAX;

/// What leaves the registry when a task ends, released outside its borrow.
/// A panic in the destructor of an outcome nobody wants has nowhere to go.
#[derive(Default)]
#[must_use = "leftovers must be released once the registry is not borrowed"]
struct Leftovers {
    body: Option<Pin<Box<dyn Body>>>,
    joiner: Option<Waker>,
}

impl Leftovers {
    fn release(self) {
        drop_quietly(self.body);
        if let Some(joiner) = self.joiner {
            joiner.wake();
        }
    }
}

/// The registry: every live task, and ended ones' bodies until collected.
pub(crate) struct Tasks(RefCell<Registry>);

struct Registry {
    slots: Vec<Slot>,
    free: u32,
    /// Live tasks: idle or running, not ended.
    len: usize,
}

impl Tasks {
    pub(crate) fn new() -> Self {
        Tasks(RefCell::new(Registry {
            slots: Vec::new(),
            free: NONE,
            len: 0,
        }))
    }

    /// Stores the task `make` builds for its key (its waker needs the key).
    pub(crate) fn insert(&self, make: impl FnOnce(TaskKey) -> Task) -> TaskKey {
        let mut registry = self.0.borrow_mut();
        let index = registry.free_slot();
        let slot = &mut registry.slots[index as usize];
        let key = TaskKey::new(index, slot.generation);
        let State::Vacant { next } = core::mem::replace(&mut slot.state, State::Idle(make(key)))
        else {
            unreachable!("the free list holds only vacant slots")
        };
        registry.free = next;
        registry.len += 1;
        key
    }

    /// Takes an idle task out to poll it; `None` for a stale key or a task
    /// already out (a wake raced a poll's end).
    pub(crate) fn begin_poll(&self, key: TaskKey) -> Option<Task> {
        self.0.borrow_mut().take_idle(key, false)
    }

    /// Puts a polled task back, or ends it: finished, or aborted meanwhile.
    pub(crate) fn end_poll(&self, key: TaskKey, task: Task, finished: bool) {
        let mut registry = self.0.borrow_mut();
        let slot = &mut registry.slots[key.index()];
        let State::Running { aborted } = slot.state else {
            unreachable!("end_poll of a task that was not running")
        };
        if finished || aborted {
            drop(registry);
            return self.end(key, task, finished);
        }
        slot.state = State::Idle(task);
    }

    /// Cancels the task under `key` now, or after its current poll. A task
    /// that already ended keeps its outcome.
    pub(crate) fn abort(&self, key: TaskKey) {
        let taken = self.0.borrow_mut().take_idle(key, true);
        if let Some(task) = taken {
            self.end(key, task, false);
        }
    }

    /// Cancels every pending task, and those their destructors spawn: a
    /// runtime's shutdown. `each` sees each one first.
    pub(crate) fn cancel_all(&self, mut each: impl FnMut(&Task)) {
        loop {
            let keys = self.idle_keys();
            if keys.is_empty() {
                return;
            }
            for key in keys {
                let taken = self.0.borrow_mut().take_idle(key, true);
                if let Some(task) = taken {
                    each(&task);
                    self.end(key, task, false);
                }
            }
        }
    }

    /// Ends a task out of its slot: cancels it unless it finished, with
    /// nothing borrowed, stores its body for the handle, wakes the joiner.
    fn end(&self, key: TaskKey, task: Task, finished: bool) {
        let mut body = task.body;
        if !finished {
            body.as_mut().cancel();
        }
        let mut registry = self.0.borrow_mut();
        registry.len -= 1;
        let slot = &mut registry.slots[key.index()];
        let ended = if slot.detached {
            let mut vacated = registry.vacate(key.index());
            vacated.body = Some(body);
            vacated
        } else {
            slot.state = State::Finished(body);
            Leftovers {
                body: None,
                joiner: slot.joiner.take(),
            }
        };
        drop(registry);
        ended.release();
    }

    /// A handle's poll: the ended body (`None` for a stale key), or
    /// `Pending` with `waker` kept to be woken at the end.
    pub(crate) fn poll_join(
        &self,
        key: TaskKey,
        waker: &Waker,
    ) -> Poll<Option<Pin<Box<dyn Body>>>> {
        let mut registry = self.0.borrow_mut();
        let Some(slot) = registry.live_slot(key) else {
            return Poll::Ready(None);
        };
        if let State::Finished(_) = slot.state {
            return Poll::Ready(registry.vacate(key.index()).body);
        }
        if !slot
            .joiner
            .as_ref()
            .is_some_and(|joiner| joiner.will_wake(waker))
        {
            let replaced = slot.joiner.replace(waker.clone());
            drop(registry); // The replaced waker is user code's: dropped unborrowed.
            drop(replaced);
        }
        Poll::Pending
    }

    /// The handle is gone: the outcome goes now, or when the task ends.
    pub(crate) fn detach(&self, key: TaskKey) {
        let mut registry = self.0.borrow_mut();
        let leftovers = match registry.live_slot(key) {
            Some(slot) if matches!(slot.state, State::Finished(_)) => registry.vacate(key.index()),
            Some(slot) => {
                slot.detached = true;
                // Whoever awaited the handle let go of it: a spurious wake
                // (futures tolerate them) drops its waker unborrowed.
                Leftovers {
                    body: None,
                    joiner: slot.joiner.take(),
                }
            }
            None => Leftovers::default(),
        };
        drop(registry);
        leftovers.release();
    }

    /// Whether the task under `key` has ended: finished, cancelled, gone.
    pub(crate) fn is_finished(&self, key: TaskKey) -> bool {
        let mut registry = self.0.borrow_mut();
        let slot = registry.live_slot(key);
        !slot.is_some_and(|slot| matches!(slot.state, State::Idle(_) | State::Running { .. }))
    }

    /// The id of the task under `key`, if it waits for a poll.
    pub(crate) fn id(&self, key: TaskKey) -> Option<TaskId> {
        match &self.0.borrow_mut().live_slot(key)?.state {
            State::Idle(task) => Some(task.id),
            _ => None,
        }
    }

    /// Live tasks.
    pub(crate) fn len(&self) -> usize {
        self.0.borrow().len
    }

    /// Runs `f` on every task waiting for a poll and every kept joiner
    /// (with its task's id), borrowed: `f` must not spawn, abort or join.
    pub(crate) fn inspect<R>(
        &self,
        f: impl for<'r> FnOnce(Idle<'r, '_>, Joiners<'r, '_>) -> R,
    ) -> R {
        let registry = self.0.borrow();
        let idle = registry.slots.iter().filter_map(|slot| match &slot.state {
            State::Idle(task) => Some(task),
            _ => None,
        });
        let joiners = registry
            .slots
            .iter()
            .filter_map(|slot| match (&slot.state, &slot.joiner) {
                (State::Idle(task), Some(joiner)) => Some((task.id, joiner)),
                _ => None,
            });
        f(&mut { idle }, &mut { joiners })
    }

    /// The keys of every task waiting for a poll.
    fn idle_keys(&self) -> Vec<TaskKey> {
        let registry = self.0.borrow();
        let slots = registry.slots.iter().enumerate();
        let idle = slots.filter(|(_, slot)| matches!(slot.state, State::Idle(_)));
        idle.map(|(index, slot)| TaskKey::new(index as u32, slot.generation))
            .collect()
    }
}

/// The tasks waiting for a poll, as [`Tasks::inspect`] shows them.
pub(crate) type Idle<'r, 'i> = &'i mut dyn Iterator<Item = &'r Task>;
/// The kept joiners, with the id of the task each waits for.
pub(crate) type Joiners<'r, 'i> = &'i mut dyn Iterator<Item = (TaskId, &'r Waker)>;

impl Registry {
    /// A vacant slot's index, growing the slab if none is free.
    fn free_slot(&mut self) -> u32 {
        if self.free == NONE {
            let index = u32::try_from(self.slots.len()).ok().filter(|&i| i != NONE);
            self.free = index.expect("more than 4 billion tasks");
            let state = State::Vacant { next: NONE };
            self.slots.push(Slot {
                generation: 0,
                state,
                joiner: None,
                detached: false,
            });
        }
        self.free
    }

    /// The slot `key` names, unless the key is stale.
    fn live_slot(&mut self, key: TaskKey) -> Option<&mut Slot> {
        let slot = self.slots.get_mut(key.index())?;
        let live =
            slot.generation == key.generation() && !matches!(slot.state, State::Vacant { .. });
        live.then_some(slot)
    }

    /// Takes an idle task out; its slot says `Running` until it comes back.
    /// A running one is only marked, when `aborted`.
    fn take_idle(&mut self, key: TaskKey, aborted: bool) -> Option<Task> {
        let slot = self.live_slot(key)?;
        match &mut slot.state {
            State::Running { aborted: marked } => *marked |= aborted,
            State::Idle(_) => match core::mem::replace(&mut slot.state, State::Running { aborted })
            {
                State::Idle(task) => return Some(task),
                _ => unreachable!("matched just above"),
            },
            State::Vacant { .. } | State::Finished(_) => {}
        }
        None
    }

    /// Frees an ended task's slot, handing back its body and joiner.
    fn vacate(&mut self, index: usize) -> Leftovers {
        let slot = &mut self.slots[index];
        slot.detached = false;
        let body = match core::mem::replace(&mut slot.state, State::Vacant { next: NONE }) {
            State::Finished(body) => Some(body),
            _ => None,
        };
        // Once every generation is issued, the slot stays out of the free
        // list, so no key can ever match a second task.
        if slot.generation != u32::MAX {
            slot.generation += 1;
            slot.state = State::Vacant { next: self.free };
            self.free = index as u32;
        }
        Leftovers {
            body,
            joiner: slot.joiner.take(),
        }
    }
}
