//! Where live tasks are listed: a `Vec` of references, each task knowing
//! its place, shared by the loop and every `JoinHandle`. Read this after
//! `raw.rs`.
//!
//! The outcome of an ended task lives in its own allocation, not here: the
//! list only keeps a live task alive, and lets the loop find every task it
//! must cancel at shutdown or look at when it is stuck. Insert and remove
//! are O(1): removal swaps the last task into the hole.
//!
//! Rule: no user code runs while the list is borrowed. Dropping a task's
//! future, or waking who awaits it, may run any, so a removed reference
//! and the joiner's waker leave the borrow first.

use crate::raw::TaskRef;
use crate::task::TaskId;
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::task::Waker;

/// Every live task: spawned, not yet ended.
pub(crate) struct Tasks {
    live: RefCell<Vec<TaskRef>>,
    /// The names of the live tasks spawned with one: apart, so that a
    /// task without a name pays nothing for them.
    names: RefCell<BTreeMap<TaskId, Box<str>>>,
}

impl Tasks {
    pub(crate) fn new() -> Self {
        Tasks {
            live: RefCell::new(Vec::new()),
            names: RefCell::new(BTreeMap::new()),
        }
    }

    /// Lists a new task (the registry's reference), and its name.
    pub(crate) fn insert(&self, task: TaskRef, name: Option<Box<str>>) {
        if let Some(name) = name {
            self.names.borrow_mut().insert(task.id(), name);
        }
        let mut live = self.live.borrow_mut();
        task.set_index(live.len());
        live.push(task);
    }

    /// The name of the live task `id`, a copy.
    pub(crate) fn name(&self, id: TaskId) -> Option<Box<str>> {
        self.names.borrow().get(&id).cloned()
    }

    /// Ends a task whose future is gone: unlisted, its outcome kept for the
    /// handle (or dropped if nobody will take it), who awaits it woken.
    pub(crate) fn end(&self, task: &TaskRef) {
        let joiner = task.end();
        if !self.names.borrow().is_empty() {
            drop(self.names.borrow_mut().remove(&task.id()));
        }
        let removed = {
            let mut live = self.live.borrow_mut();
            let removed = live.swap_remove(task.index());
            if let Some(moved) = live.get(task.index()) {
                moved.set_index(task.index());
            }
            removed
        };
        debug_assert!(removed.same(task), "a task's index names its place");
        drop(removed);
        if let Some(joiner) = joiner {
            joiner.wake();
        }
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
        while let Some(task) = self.last() {
            each(&task);
            // Nothing runs at shutdown, so every listed task cancels now.
            let cancelled = task.cancel();
            debug_assert!(cancelled, "a listed task is live and not running");
            self.end(&task);
        }
    }

    /// The most recently listed live task, a reference of its own.
    fn last(&self) -> Option<TaskRef> {
        self.live.borrow().last().cloned()
    }

    /// Live tasks.
    pub(crate) fn len(&self) -> usize {
        self.live.borrow().len()
    }

    /// Runs `f` on every live task and the names, borrowed: `f` must not
    /// spawn, abort or join, nor drop a waker.
    pub(crate) fn inspect<R>(
        &self,
        f: impl FnOnce(&[TaskRef], &BTreeMap<TaskId, Box<str>>) -> R,
    ) -> R {
        f(&self.live.borrow(), &self.names.borrow())
    }

    /// The wakers kept to be woken when a live task ends, each with its
    /// task, taken out so that `f` can look at them all, and put back.
    pub(crate) fn with_joiners<R>(&self, f: impl FnOnce(&[(TaskId, &Waker)]) -> R) -> R {
        let live = self.live.borrow();
        let taken: Vec<_> = live
            .iter()
            .enumerate()
            .filter_map(|(index, task)| Some((index, task.id(), task.joiner().take()?)))
            .collect();
        let lent: Vec<_> = taken.iter().map(|(_, id, waker)| (*id, waker)).collect();
        let result = f(&lent);
        for (index, _, joiner) in taken {
            live[index].joiner().set(Some(joiner));
        }
        result
    }
}
