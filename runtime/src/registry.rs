//! Where live tasks are listed: a `Vec` of references, in spawn order,
//! shared by the loop and every `JoinHandle`. Read this after `raw.rs`.
//!
//! The outcome of an ended task lives in its own allocation, not here: the
//! list only keeps a task alive, and lets the loop find every task it must
//! cancel at shutdown or look at when it is stuck. An ended task leaves the
//! list lazily: it is counted, and swept out once the ended are half of
//! it. The sweep walks the list in order, which memory likes; removing
//! each task at its end would touch a random place in the list, a cache
//! miss per task among a million (perf put 6 % of 1M timers there). The
//! sweep is in place: a new list would be fresh memory to fault in.
//!
//! Rule: no user code runs while the list is borrowed. Dropping a task's
//! future, or waking who awaits it, may run any, so they happen outside.

use crate::raw::TaskRef;
use crate::task::TaskId;
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::task::Waker;

/// Every live task, and ended ones not yet swept out.
pub(crate) struct Tasks {
    listed: RefCell<Vec<TaskRef>>,
    /// How many of `listed` have ended.
    ended: Cell<usize>,
    /// The names of the live tasks spawned with one: apart, so that a
    /// task without a name pays nothing for them.
    names: RefCell<BTreeMap<TaskId, Box<str>>>,
}

impl Tasks {
    pub(crate) fn new() -> Self {
        Tasks {
            listed: RefCell::new(Vec::new()),
            ended: Cell::new(0),
            names: RefCell::new(BTreeMap::new()),
        }
    }

    /// Lists a new task (the registry's reference), and its name.
    pub(crate) fn insert(&self, task: TaskRef, name: Option<Box<str>>) {
        if let Some(name) = name {
            self.names.borrow_mut().insert(task.id(), name);
        }
        self.listed.borrow_mut().push(task);
    }

    /// The name of the live task `id`, a copy.
    pub(crate) fn name(&self, id: TaskId) -> Option<Box<str>> {
        self.names.borrow().get(&id).cloned()
    }

    /// Ends a task whose future is gone: its outcome kept for the handle
    /// (or dropped if nobody will take it), who awaits it woken.
    pub(crate) fn end(&self, task: &TaskRef) {
        let joiner = task.end();
        self.ended.set(self.ended.get() + 1);
        if 2 * self.ended.get() > self.listed.borrow().len() {
            self.sweep();
        }
        if !self.names.borrow().is_empty() {
            drop(self.names.borrow_mut().remove(&task.id()));
        }
        if let Some(joiner) = joiner {
            joiner.wake();
        }
    }

    /// Takes the ended tasks out of the list, in one pass, in place (a new
    /// list would be fresh memory, page faults and all). Dropping their
    /// references here runs no user code: an ended task's future is gone,
    /// and its outcome too unless its handle, still holding it, is alive.
    fn sweep(&self) {
        self.listed.borrow_mut().retain(|task| !task.has_ended());
        self.ended.set(0);
    }

    /// Cancels the task now (or, during its poll, when the poll returns).
    pub(crate) fn abort(&self, task: &TaskRef) {
        if task.cancel() {
            self.end(task);
        }
    }

    /// Cancels every live task, and those their destructors spawn: a
    /// runtime's shutdown. `each` sees each one first.
    pub(crate) fn cancel_all(&self, mut each: impl FnMut(&TaskRef)) {
        while self.len() > 0 {
            let listed = self.listed.borrow();
            let live: Vec<TaskRef> = listed
                .iter()
                .filter(|task| !task.has_ended())
                .cloned()
                .collect();
            drop(listed);
            for task in &live {
                // A destructor run just before may have aborted this one.
                if !task.has_ended() {
                    each(task);
                    self.abort(task);
                }
            }
        }
    }

    /// Live tasks.
    pub(crate) fn len(&self) -> usize {
        self.listed.borrow().len() - self.ended.get()
    }

    /// Runs `f` on every live task and the names, borrowed: `f` must not
    /// spawn, abort or join, nor drop a waker.
    pub(crate) fn inspect<R>(
        &self,
        f: impl FnOnce(&[TaskRef], &BTreeMap<TaskId, Box<str>>) -> R,
    ) -> R {
        self.sweep();
        f(&self.listed.borrow(), &self.names.borrow())
    }

    /// The wakers kept to be woken when a live task ends, each with its
    /// task, taken out so that `f` can look at them all, and put back.
    pub(crate) fn with_joiners<R>(&self, f: impl FnOnce(&[(TaskId, &Waker)]) -> R) -> R {
        let listed = self.listed.borrow();
        let taken: Vec<_> = listed
            .iter()
            .enumerate()
            .filter_map(|(index, task)| Some((index, task.id(), task.joiner().take()?)))
            .collect();
        let lent: Vec<_> = taken.iter().map(|(_, id, waker)| (*id, waker)).collect();
        let result = f(&lent);
        for (index, _, joiner) in taken {
            listed[index].joiner().set(Some(joiner));
        }
        result
    }
}
