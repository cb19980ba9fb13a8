//! The loop's dealings with single tasks: spawning, counting, and naming
//! them in reports.
//!
//! Part of `executor.rs`, which keeps the run loop itself.

use super::Core;
use crate::observe::{main_ref, TaskRef};
use crate::task::{JoinHandle, Task, TaskId, TaskKey};
use crate::waker::TaskWaker;
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::sync::Arc;
use core::future::Future;

impl Core {
    /// Live tasks, counting the `block_on` future as `asyncio.all_tasks` does.
    pub(crate) fn task_count(&self) -> usize {
        self.registry.borrow().len() + usize::from(self.in_block_on.get())
    }

    /// Registers `future` as a task, queues it, and returns its handle.
    pub(crate) fn spawn<F>(&self, name: Option<Box<str>>, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let id = TaskId(self.next_id.get());
        self.next_id.set(id.0 + 1);
        let key = self.registry.borrow_mut().vacant_key();
        let waker = Arc::new(TaskWaker::new(key, self.queue.clone()));
        self.schedule(&waker);
        let task = Task::new(future, waker, id, name);
        self.registry.borrow_mut().insert(key, task);
        let handle = JoinHandle::new(Rc::clone(&self.registry), key, id);
        // Told once the task is in place, so the hook may spawn too; if it
        // panics, the handle is dropped and the task runs on, detached.
        if let Some(observe) = &self.observe {
            let name = self
                .registry
                .borrow()
                .get(key)
                .and_then(|task| task.name.clone());
            observe.spawned(TaskRef {
                id,
                name: name.as_deref(),
            });
        }
        handle
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
