//! The event loop: the registry, the ready queue, `spawn` and `block_on`.
//!
//! Read this after `waker.rs`; it is the heart of minirt. One thread runs the
//! loop, and the loop does four things, over and over:
//!
//! 1. **Run what is ready.** Take in the wakes other threads sent, then pop
//!    task keys from the ready queue, oldest first, and poll each task once. A task runs until its future returns
//!    `Pending`; nothing can interrupt it (that is what "cooperative" means,
//!    and why a blocking call inside a task stalls everyone).
//! 2. **Stop after a budget.** At most [`BUDGET`] polls per pass, so a task
//!    that keeps waking itself (a `yield_now` loop) cannot keep timers from
//!    being checked.
//! 3. **Turn the wheel.** Read the clock once and fire every timer that is
//!    due: firing a timer wakes its task, which puts it in the ready queue.
//! 4. **Park when idle.** With nothing ready, ask the clock to wait until the
//!    next deadline or until a waker (maybe on another thread) queues a task.
//!    An idle loop sleeps in the OS and burns no CPU.
//!
//! The `block_on` future is polled by the same loop under the reserved key
//! `TaskKey::MAIN`, so it takes its turn in the queue like any task.
//!
//! Next: `time/clock.rs` and `time/wheel.rs`, which the loop turns.

use crate::observe::{main_ref, Observe, TaskRef};
use crate::task::{Task, TaskKey};
#[cfg(feature = "timer-queues")]
use crate::time::queue::TimerQueue;
use crate::time::{Timer, Timers};
use crate::waker::{ReadyQueue, TaskWaker};
use crate::{Clock, Park};
use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use core::time::Duration;

mod builder;
mod deadlock;
mod registry;
mod runtime;
mod tasks;

pub use builder::Builder;

pub use deadlock::Deadlock;
pub(crate) use deadlock::Locks;
pub(crate) use registry::Tasks;
#[cfg(feature = "std")]
pub use runtime::block_on;
pub use runtime::Runtime;

/// Polls per pass of the loop before timers are checked again. Large enough
/// that checking the clock is rare on a busy loop, small enough that a timer
/// is late by at most this many polls.
pub(crate) const BUDGET: usize = 128;

/// Everything the loop owns, shared (on this thread only) by the runtime,
/// `Sleep`s and join handles.
///
/// Invariants:
/// - `registry`, `timers` and `fired` are borrowed only for short, non-reentrant
///   steps: never while a future is polled or dropped, nor while a waker runs.
/// - every key in `ready` and `queue` is `MAIN` or a key the registry
///   issued (perhaps stale).
pub(crate) struct Core {
    /// Live tasks, and ended ones' outcomes; shared with the join handles.
    pub(crate) registry: Rc<Tasks>,
    /// Keys of tasks ready to run, oldest first: spawns, and wakes on the
    /// loop's own thread while it runs (see `context::wake_locally`).
    pub(crate) ready: RefCell<VecDeque<TaskKey>>,
    /// Keys of tasks woken elsewhere (another thread, or outside
    /// `block_on`), moved to `ready` once per pass.
    pub(crate) queue: Arc<ReadyQueue>,
    /// Pending timers, in ticks of the clock.
    pub(crate) timers: RefCell<Timers>,
    /// Where time comes from.
    pub(crate) clock: Box<dyn Clock>,
    /// The id the next spawned task gets.
    next_id: Cell<u64>,
    /// Whether a `block_on` future is running (it counts as a task).
    in_block_on: Cell<bool>,
    /// Scratch space for the timers fired in a turn, reused every turn.
    fired: RefCell<Vec<(u64, Timer)>>,
    /// The observer and its stall report, if one is installed.
    observe: Option<Observe>,
    /// The task being polled (`MAIN` for the `block_on` future).
    pub(crate) current: Cell<TaskKey>,
    /// The locks tasks of this loop wait for, if deadlocks are to be proved.
    pub(crate) locks: Option<Locks>,
}

impl Core {
    /// A loop with no tasks that reads time from `clock`, keeps its timers
    /// in `timers` (empty, started at the clock's now), and proves
    /// deadlocks if asked.
    pub(crate) fn new(
        clock: Box<dyn Clock>,
        timers: Timers,
        observe: Option<Observe>,
        prove_deadlocks: bool,
    ) -> Self {
        Core {
            registry: Rc::new(Tasks::new()),
            ready: RefCell::new(VecDeque::new()),
            queue: Arc::new(ready_queue(&*clock)),
            timers: RefCell::new(timers),
            clock,
            next_id: Cell::new(1),
            in_block_on: Cell::new(false),
            fired: RefCell::new(Vec::new()),
            observe,
            current: Cell::new(TaskKey::MAIN),
            locks: prove_deadlocks.then(Locks::default),
        }
    }

    /// Polls the task under `key` once, if it still exists.
    fn poll_task(&self, key: TaskKey) {
        let Some(mut task) = self.registry.borrow_mut().begin_poll(key) else {
            return;
        };
        self.current.set(key);
        let finished = match &self.observe {
            None => task.poll().is_ready(),
            Some(observe) => {
                let (id, name, poll) = task.watchable();
                observe.watch(self, TaskRef { id, name }, poll).is_ready()
            }
        };
        let ended = self.registry.borrow_mut().end_poll(key, task, finished);
        // Dropping a future runs its destructors (cancelling timers, waking
        // join handles), so it happens here, with nothing borrowed.
        if let Some(task) = ended {
            self.registry.end(key, task, finished);
        }
        self.rethrow_observer_panic();
    }

    /// Runs `future` to completion on this loop, with the tasks it spawns,
    /// or until the loop proves that nothing can ever happen again.
    ///
    /// The caller has made this runtime the current one.
    pub(crate) fn run<F: Future>(&self, future: F) -> Result<F::Output, Deadlock> {
        let mut future = pin!(future);
        let main = Arc::new(TaskWaker::new(TaskKey::MAIN, self.queue.clone()));
        let main_waker = Waker::from(main.clone());
        let mut cx = Context::from_waker(&main_waker);
        self.schedule(&main);
        self.in_block_on.set(true);
        // Reset even if the future panics, so `task_count` stays honest.
        let _running = ResetOnDrop(&self.in_block_on);
        loop {
            self.take_in_remote_wakes();
            let mut polls = 0;
            while polls < BUDGET {
                let next = self.ready.borrow_mut().pop_front();
                let Some(key) = next else { break };
                polls += 1;
                if key != TaskKey::MAIN {
                    self.poll_task(key);
                    continue;
                }
                main.clear_scheduled();
                self.current.set(TaskKey::MAIN);
                let polled = match &self.observe {
                    None => future.as_mut().poll(&mut cx),
                    Some(observe) => {
                        observe.watch(self, main_ref(), || future.as_mut().poll(&mut cx))
                    }
                };
                self.rethrow_observer_panic();
                if let Poll::Ready(output) = polled {
                    if let Some(observe) = &self.observe {
                        observe.deliver();
                    }
                    self.rethrow_observer_panic();
                    return Ok(output);
                }
            }
            if polls < BUDGET {
                self.park(&main, &main_waker)?;
            }
            self.fire_timers();
        }
    }

    /// Queues a task (just spawned, or `main`) for its first poll.
    pub(crate) fn schedule(&self, waker: &TaskWaker) {
        waker.mark_scheduled();
        self.ready.borrow_mut().push_back(waker.key());
    }

    /// Moves the keys other threads queued behind the local ones. Doing it
    /// once per pass, not per poll, keeps the atomics of the shared queue off
    /// the common path, and a busy loop cannot starve them: they wait at
    /// most one pass.
    fn take_in_remote_wakes(&self) {
        if self.queue.is_empty() {
            return;
        }
        let mut ready = self.ready.borrow_mut();
        while let Some(key) = self.queue.pop() {
            ready.push_back(key);
        }
    }

    /// How many tasks are ready, here and in the shared queue.
    pub(crate) fn ready_len(&self) -> usize {
        self.ready.borrow().len() + self.queue.len()
    }

    /// With nothing ready, waits on the clock until the next timer is due,
    /// a waker queues a task, or work outside the loop ends.
    ///
    /// # Errors
    ///
    /// When the loop can prove that nothing can ever happen again (see
    /// `executor/deadlock.rs`): waiting would hang forever, so it stops
    /// with the diagnosis instead.
    fn park(&self, main: &Arc<TaskWaker>, main_waker: &Waker) -> Result<(), Deadlock> {
        let next = self.timers.borrow().next_expiration();
        let outside_work = self.queue.has_outside_work();
        if next.is_none() && !outside_work && self.ready_len() == 0 {
            if let Some(deadlock) = deadlock::diagnose(self, main, main_waker) {
                return Err(deadlock);
            }
        }
        let deadline = next.map(Duration::from_micros);
        let woken = || !self.queue.is_empty();
        self.clock.park(&Park::new(deadline, outside_work, &woken));
        Ok(())
    }

    /// Advances the wheel to the clock's "now" and wakes every timer due.
    fn fire_timers(&self) {
        // An empty queue has nothing to fire: skip reading the clock, which
        // keeps timer-free workloads (spawn, ping-pong) free of clock reads.
        if !self.timers.borrow().is_empty() {
            let now = self.clock.now();
            let mut fired = self.fired.take();
            self.timers
                .borrow_mut()
                .advance(crate::time::now_tick(now), &mut fired);
            for (deadline, timer) in fired.drain(..) {
                if let Some(observe) = &self.observe {
                    observe.report_timer(self, deadline, &timer, now);
                }
                timer.waker.wake();
            }
            *self.fired.borrow_mut() = fired;
        }
        if let Some(observe) = &self.observe {
            observe.timers_turned();
        }
        self.rethrow_observer_panic();
    }

    /// Re-raises a panic an observer's hook raised, now that the loop's own
    /// state is whole again (the task it watched is back in the registry).
    fn rethrow_observer_panic(&self) {
        #[cfg(feature = "std")]
        if let Some(payload) = self.observe.as_ref().and_then(Observe::take_panic) {
            std::panic::resume_unwind(payload);
        }
    }

    /// Cancels every task still pending, and any their destructors spawn:
    /// a runtime's shutdown. The caller has made this runtime current, so
    /// such a spawn lands here and is cancelled with the rest.
    pub(crate) fn shutdown(&self) {
        if let Some(observe) = &self.observe {
            observe.deliver();
        }
        self.registry.cancel_all(|task| {
            if let Some(observe) = &self.observe {
                observe.dropped_pending(who(task));
            }
        });
        // Wakes sent while the tasks were dropped have no task left to run.
        self.ready.borrow_mut().clear();
        while self.queue.pop().is_some() {}
        #[cfg(feature = "std")]
        if let Some(payload) = self.observe.as_ref().and_then(Observe::take_panic) {
            // A runtime being dropped has no one to raise it to.
            crate::task::drop_quietly(payload);
        }
    }
}

/// A task as observers see it.
fn who(task: &Task) -> TaskRef<'_> {
    TaskRef {
        id: task.id,
        name: task.name.as_deref(),
    }
}

/// The queue wakes from other threads go to; they end `clock`'s park.
fn ready_queue(clock: &dyn Clock) -> ReadyQueue {
    #[cfg(feature = "std")]
    return ReadyQueue::new(clock.unparker());
    #[cfg(not(feature = "std"))]
    {
        let _ = clock; // Without an OS, the park polls the queue instead.
        ReadyQueue::new()
    }
}

/// Sets a flag back to false when dropped.
struct ResetOnDrop<'a>(&'a Cell<bool>);

impl Drop for ResetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}
