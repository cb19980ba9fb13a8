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
//!    (The timer queue is the wheel unless the builder chose a heap or an
//!    ordered map, see `time/queue.rs`; the loop cannot tell which.)
//! 4. **Park when idle.** With nothing ready, ask the clock to wait until the
//!    next deadline or until a waker (maybe on another thread) queues a task.
//!    An idle loop sleeps in the OS and burns no CPU.
//!
//! The `block_on` future is polled by the same loop under the reserved key
//! `TaskKey::MAIN`, so it takes its turn in the queue like any task.
//!
//! Next: `time/clock.rs` and `time/wheel.rs`, which the loop turns.

use crate::observe::{main_ref, Observe, TaskRef};
use crate::task::TaskKey;
use crate::time::queue::{AnyQueue, TimerQueue, TimerQueueKind};
use crate::time::{now_tick, Timer};
use crate::waker::{ReadyQueue, TaskWaker};
use crate::Clock;
use alloc::boxed::Box;
use alloc::collections::VecDeque;
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

pub(crate) use deadlock::Wait;

use registry::Registry;
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
    /// Live tasks.
    pub(crate) registry: RefCell<Registry>,
    /// Keys of tasks ready to run, oldest first: spawns, and wakes on the
    /// loop's own thread while it runs (see `context::wake_locally`).
    pub(crate) ready: RefCell<VecDeque<TaskKey>>,
    /// Keys of tasks woken elsewhere (another thread, or outside
    /// `block_on`), moved to `ready` once per pass.
    pub(crate) queue: Arc<ReadyQueue>,
    /// Pending timers, in ticks of the clock: the wheel, or the queue the
    /// builder chose.
    pub(crate) timers: RefCell<AnyQueue<Timer>>,
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
    /// What the task being polled said it waits for, if it said (see `Wait`).
    noted_wait: Cell<Option<Wait>>,
}

impl Core {
    /// A loop with no tasks that reads time from `clock` and keeps its
    /// timers in a queue of kind `timer_queue`.
    pub(crate) fn new(
        clock: Box<dyn Clock>,
        timer_queue: TimerQueueKind,
        observe: Option<Observe>,
    ) -> Self {
        let start = now_tick(clock.now());
        Core {
            registry: RefCell::new(Registry::new()),
            ready: RefCell::new(VecDeque::new()),
            queue: Arc::new(ReadyQueue::new()),
            timers: RefCell::new(AnyQueue::of_kind(timer_queue, start)),
            clock,
            next_id: Cell::new(1),
            in_block_on: Cell::new(false),
            fired: RefCell::new(Vec::new()),
            observe,
            current: Cell::new(TaskKey::MAIN),
            noted_wait: Cell::new(None),
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
                let name = task.name.clone();
                let who = TaskRef {
                    id: task.id,
                    name: name.as_deref(),
                };
                observe.watch(self, who, || task.poll()).is_ready()
            }
        };
        task.wait = self.noted_wait.take();
        let ended = self.registry.borrow_mut().end_poll(key, task, finished);
        // Dropping a future runs its destructors (cancelling timers, waking
        // join handles), so it happens here, with nothing borrowed.
        if let Some(ended) = ended {
            ended.release();
        }
    }

    /// Runs `future` to completion on this loop, with the tasks it spawns.
    ///
    /// The caller has made this runtime the current one.
    pub(crate) fn run<F: Future>(&self, future: F) -> F::Output {
        let mut future = pin!(future);
        let main = Arc::new(TaskWaker::new(TaskKey::MAIN, self.queue.clone()));
        let main_waker = Waker::from(main.clone());
        let mut main_wait = None;
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
                if let Poll::Ready(output) = polled {
                    if let Some(observe) = &self.observe {
                        observe.deliver();
                    }
                    return output;
                }
                main_wait = self.noted_wait.take();
            }
            if polls < BUDGET {
                self.park(&main, main_wait.as_ref());
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

    /// With nothing ready, waits on the clock until the next timer is due
    /// or a waker queues a task.
    ///
    /// # Panics
    ///
    /// With no timer armed, nothing ready and no waker anywhere but inside
    /// the runtime, nothing can ever happen again: waiting would hang
    /// forever, so the loop panics with a diagnosis starting "deadlock".
    fn park(&self, main: &Arc<TaskWaker>, main_wait: Option<&Wait>) {
        let next = self.timers.borrow().next_expiration();
        if next.is_none() && self.ready_len() == 0 {
            if let Some(diagnosis) = deadlock::diagnose(self, main, main_wait) {
                panic!("{diagnosis}");
            }
        }
        let deadline = next.map(Duration::from_micros);
        self.clock.park(deadline, &|| !self.queue.is_empty());
    }

    /// Advances the timer queue to the clock's "now" and wakes every timer due.
    fn fire_timers(&self) {
        // An empty queue has nothing to fire: skip reading the clock, which
        // keeps timer-free workloads (spawn, ping-pong) free of clock reads.
        if !self.timers.borrow().is_empty() {
            let now = self.clock.now();
            let mut fired = self.fired.take();
            self.timers.borrow_mut().advance(now_tick(now), &mut fired);
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
    }

    /// Drops every task still pending: a runtime's shutdown.
    pub(crate) fn shutdown(&self) {
        // Dropping a task may wake or abort others, never spawn (no runtime
        // is current here), so one pass leaves the registry empty.
        let leftovers = self.registry.borrow_mut().drain();
        if let Some(observe) = &self.observe {
            observe.deliver();
            for task in leftovers.iter().filter_map(|left| left.task.as_ref()) {
                observe.observer.dropped_pending(TaskRef {
                    id: task.id,
                    name: task.name.as_deref(),
                });
            }
        }
        leftovers.into_iter().for_each(|left| left.release());
    }
}

/// Sets a flag back to false when dropped.
struct ResetOnDrop<'a>(&'a Cell<bool>);

impl Drop for ResetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}
