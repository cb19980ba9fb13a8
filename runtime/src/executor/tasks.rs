//! The loop's dealings with single tasks: spawning, aborting, counting,
//! naming them in reports, and hearing what they wait for.
//!
//! Part of `executor.rs`, which keeps the run loop itself.

use super::registry::Joined;
use super::{Core, Wait};
use crate::observe::{main_ref, TaskRef};
use crate::task::{Body, JoinHandle, Task, TaskId, TaskKey};
use crate::waker::TaskWaker;
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::sync::Arc;
use core::future::Future;
use core::pin::Pin;
use core::task::{Poll, Waker};

impl Core {
    /// Live tasks, counting the `block_on` future as `asyncio.all_tasks` does.
    pub(crate) fn task_count(&self) -> usize {
        self.registry.borrow().len() + usize::from(self.in_block_on.get())
    }

    /// Registers `future` as a task, queues it, and returns its handle.
    pub(crate) fn spawn<F>(
        self: &Rc<Self>,
        name: Option<Box<str>>,
        future: F,
    ) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let id = TaskId(self.next_id.get());
        self.next_id.set(id.0 + 1);
        let key = self.registry.borrow_mut().vacant_key();
        let waker = Arc::new(TaskWaker::new(key, self.queue.clone()));
        self.schedule(&waker);
        if let Some(observe) = &self.observe {
            observe.observer.spawned(TaskRef {
                id,
                name: name.as_deref(),
            });
        }
        let task = Task::new(future, waker, id, name);
        self.registry.borrow_mut().insert(key, task);
        JoinHandle::new(Rc::downgrade(self), key, id)
    }

    /// Drops the task under `key` now (or after its current poll).
    pub(crate) fn abort(&self, key: TaskKey) {
        let removed = self.registry.borrow_mut().remove(key);
        removed.release();
    }

    /// A join handle's poll: the finished body, or `None` for a task that is
    /// gone without an outcome. While the task runs, `waker` is kept to be
    /// woken when it ends.
    pub(crate) fn poll_join(
        &self,
        key: TaskKey,
        waker: &Waker,
    ) -> Poll<Option<Pin<Box<dyn Body>>>> {
        let joined = self.registry.borrow_mut().poll_join(key, waker);
        match joined {
            Joined::Pending(replaced) => {
                drop(replaced);
                Poll::Pending
            }
            Joined::Finished(body) => Poll::Ready(Some(body)),
            Joined::Gone => Poll::Ready(None),
        }
    }

    /// A join handle was dropped before it gave the outcome.
    pub(crate) fn detach(&self, key: TaskKey) {
        let detached = self.registry.borrow_mut().detach(key);
        detached.release();
    }

    /// Whether the task under `key` has ended.
    pub(crate) fn is_finished(&self, key: TaskKey) -> bool {
        self.registry.borrow().is_finished(key)
    }

    /// Records what the task being polled now waits for; the loop files it
    /// with the task when the poll returns.
    pub(crate) fn note_wait(&self, wait: Wait) {
        self.noted_wait.set(Some(wait));
    }

    /// A task's id and name (owned), for reports; `None` if it is gone.
    pub(crate) fn identify(&self, key: TaskKey) -> Option<(TaskId, Option<String>)> {
        if key == TaskKey::MAIN {
            let main = main_ref();
            return Some((main.id, main.name.map(String::from)));
        }
        let registry = self.registry.borrow();
        let task = registry.get(key)?;
        Some((task.id, task.name.as_deref().map(String::from)))
    }

    /// A task's id and name as text, for diagnostics; `None` if it is gone.
    pub(crate) fn describe(&self, key: TaskKey) -> Option<String> {
        if key == TaskKey::MAIN {
            return Some("main".into());
        }
        Some(match self.identify(key)? {
            (id, Some(name)) => alloc::format!("{id} \"{name}\""),
            (id, None) => alloc::format!("{id}"),
        })
    }
}
