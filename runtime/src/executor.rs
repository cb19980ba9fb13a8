//! The event loop, the heart of minirt. Read this after `hooks.rs`. One
//! thread runs it, doing four things over and over:
//!
//! 1. **Run what is ready.** Take in the wakes other threads sent, then poll
//!    each ready task once, oldest first. A task runs until its future
//!    returns `Pending`; nothing interrupts it (that is what "cooperative"
//!    means, and why a blocking call in a task stalls them all).
//! 2. **Stop after a budget** of [`BUDGET`] polls, so a task that keeps
//!    waking itself cannot keep the timers from being checked.
//! 3. **Turn the wheel.** Read the clock once and fire every timer due:
//!    firing wakes the timer's task, which queues it.
//! 4. **Park when idle**: ask the clock to wait for the next deadline or a
//!    wake. An idle loop sleeps in the OS and burns no CPU. If nothing can
//!    ever wake a task, a hook may prove it (`deadlock.rs`): the loop stops.
//!
//! The `block_on` future takes its turn in the same queue, as the entry
//! `Ready::MAIN`.

use crate::hooks::{Census, Deadlock, Hooks, Party, Scheduler};
#[cfg(feature = "timer-queues")]
use crate::queues::TimerQueue;
use crate::raw::{Joinable, LocalQueue, MainWaker, Ready, ReadyQueue, TaskRef};
use crate::registry::Tasks;
use crate::task::TaskId;
use crate::{Clock, Instant, Park};
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

/// Polls per pass before the timers are checked again: a busy loop rarely
/// reads the clock, and a timer is late by at most this many polls.
pub(crate) const BUDGET: usize = 128;

/// Where the loop keeps its timers: the wheel, called directly; with the
/// `timer-queues` feature, the queue the builder chose (the one place the
/// choice shows, as embassy picks its run queue with a type alias).
#[cfg(not(feature = "timer-queues"))]
pub(crate) type Timers = crate::Wheel<Waker>;
#[cfg(feature = "timer-queues")]
pub(crate) type Timers = crate::queues::AnyQueue<Waker>;

/// Everything the loop owns, shared on this thread by the runtime, its
/// `Sleep`s and its join handles. Invariant: `tasks`, `ready` and `timers`
/// are borrowed only for steps that run no user code (no poll, drop, wake).
pub(crate) struct Core {
    pub(crate) tasks: Rc<Tasks>,
    /// Tasks ready to run: spawns, and wakes on this thread while it runs.
    ready: LocalQueue,
    /// Tasks woken elsewhere, moved to `ready` once per pass.
    pub(crate) queue: Arc<ReadyQueue>,
    pub(crate) timers: RefCell<Timers>,
    pub(crate) clock: Box<dyn Clock>,
    next_id: Cell<u64>,
    /// Whether a `block_on` future runs (it counts as a task).
    in_block_on: Cell<bool>,
    /// The task being polled.
    pub(crate) current: Cell<TaskId>,
    /// Timers fired in a turn: scratch space, reused every turn.
    fired: RefCell<Vec<(u64, Waker)>>,
    hooks: Option<Rc<dyn Hooks>>,
    /// Picks the next ready task when more than one is; `None`: FIFO.
    scheduler: Option<Rc<dyn Scheduler>>,
    /// Whether `hooks` asked for poll events (`Hooks::watches_polls`).
    watch_polls: bool,
}

impl Core {
    /// A loop with no tasks, on `clock`, with empty `timers`, telling
    /// `hooks` what happens.
    pub(crate) fn new(
        clock: Box<dyn Clock>,
        timers: Timers,
        hooks: Option<Rc<dyn Hooks>>,
        scheduler: Option<Rc<dyn Scheduler>>,
    ) -> Self {
        Core {
            tasks: Rc::new(Tasks::new()),
            ready: LocalQueue::default(),
            #[cfg(feature = "std")]
            queue: Arc::new(ReadyQueue::new(clock.unparker())),
            #[cfg(not(feature = "std"))]
            queue: Arc::new(ReadyQueue::new()),
            timers: RefCell::new(timers),
            clock,
            next_id: Cell::new(1),
            in_block_on: Cell::new(false),
            current: Cell::new(TaskId::MAIN),
            fired: RefCell::default(),
            watch_polls: hooks.as_ref().is_some_and(|hooks| hooks.watches_polls()),
            hooks,
            scheduler,
        }
    }

    /// Calls a hook, if a layer is attached.
    pub(crate) fn hook(&self, call: impl FnOnce(&dyn Hooks)) {
        if let Some(hooks) = &self.hooks {
            call(&**hooks);
        }
    }

    /// Registers `future` as a task and queues it for its first poll.
    pub(crate) fn spawn<F>(&self, name: Option<Box<str>>, future: F) -> Joinable<F::Output>
    where
        F: Future<Output: 'static> + 'static,
    {
        let id = TaskId(self.next_id.replace(self.next_id.get() + 1));
        self.hook(|hooks| hooks.spawned(id, name.as_deref()));
        let (listed, handle, first_poll) = crate::raw::spawn(future, id, &self.queue);
        self.tasks.insert(listed, name);
        self.ready.borrow_mut().push_back(first_poll);
        handle
    }

    /// Live tasks, counting the `block_on` future as `asyncio.all_tasks` does.
    pub(crate) fn task_count(&self) -> usize {
        self.tasks.len() + usize::from(self.in_block_on.get())
    }

    /// Runs `future` to completion on this loop, with the tasks it spawns,
    /// or until a hook proves nothing can happen again. The caller has made
    /// this runtime the current one.
    pub(crate) fn run<F: Future>(&self, future: F) -> Result<F::Output, Deadlock> {
        let mut future = pin!(future);
        let main = Arc::new(MainWaker::new(self.queue.clone()));
        let main_waker = Waker::from(main.clone());
        self.ready.borrow_mut().push_back(Ready::MAIN);
        self.in_block_on.set(true);
        // Reset even if the future panics, so `task_count` stays honest.
        let _running = InBlockOn(&self.in_block_on);
        #[cfg(all(feature = "std", not(loom)))]
        let _here = crate::raw::RunningHere::new(&self.queue, &self.ready);
        loop {
            self.take_in_remote_wakes();
            let mut polls = 0;
            while polls < BUDGET {
                let Some(entry) = self.next_ready() else {
                    break;
                };
                polls += 1;
                if let Some(task) = entry.into_task() {
                    self.poll_task(&task);
                    continue;
                }
                main.clear_scheduled();
                if let Poll::Ready(output) = self.poll_main(future.as_mut(), &main_waker) {
                    return Ok(output);
                }
            }
            if polls < BUDGET {
                self.park(&main, &main_waker)?;
            } else {
                // A busy loop still hears its sockets once a budget.
                let now = Park::new(Some(core::time::Duration::ZERO), false, &|| false);
                self.clock.park(&now);
            }
            self.fire_timers();
        }
    }

    /// The oldest ready task, or the scheduler's pick when there is a choice.
    fn next_ready(&self) -> Option<Ready> {
        let mut ready = self.ready.borrow_mut();
        match &self.scheduler {
            Some(scheduler) if ready.len() > 1 => {
                let choices = ready.len();
                ready.remove(scheduler.choose(choices).min(choices - 1))
            }
            _ => ready.pop_front(),
        }
    }

    /// Polls `task` once, unless it ended since it was queued.
    fn poll_task(&self, task: &TaskRef) {
        if task.has_ended() {
            return;
        }
        let id = task.id();
        if self.watch_polls {
            self.hook(|hooks| hooks.poll_started(id));
        }
        self.current.set(id);
        let ended = task.poll();
        if ended {
            self.tasks.end(task);
        }
        if self.watch_polls {
            self.hook(|hooks| hooks.poll_ended(id, ended));
        }
    }

    /// Polls the `block_on` future once.
    fn poll_main<T>(
        &self,
        future: core::pin::Pin<&mut impl Future<Output = T>>,
        waker: &Waker,
    ) -> Poll<T> {
        if self.watch_polls {
            self.hook(|hooks| hooks.poll_started(TaskId::MAIN));
        }
        self.current.set(TaskId::MAIN);
        let polled = future.poll(&mut Context::from_waker(waker));
        if self.watch_polls {
            self.hook(|hooks| hooks.poll_ended(TaskId::MAIN, polled.is_ready()));
        }
        polled
    }

    /// Moves the keys other threads queued behind the local ones, once a
    /// pass: the atomics stay off the common path, and no wake waits more
    /// than a pass.
    fn take_in_remote_wakes(&self) {
        if self.queue.is_empty() {
            return;
        }
        let mut ready = self.ready.borrow_mut();
        while let Some(entry) = self.queue.pop() {
            ready.push_back(entry);
        }
    }

    /// With nothing ready, waits on the clock until the next timer is due,
    /// a waker queues a task, or work outside the loop ends.
    ///
    /// # Errors
    ///
    /// A hook proved nothing can happen again: rather than hang, the proof.
    fn park(&self, main: &Arc<MainWaker>, main_waker: &Waker) -> Result<(), Deadlock> {
        let next = self.timers.borrow().next_expiration();
        let outside_work = self.queue.has_outside_work();
        // A socket may yet wake a task: then no proof is possible, and the
        // census (a pass over every task) is not taken at every idle park.
        let quiet = next.is_none() && !outside_work && self.queue.is_empty();
        if quiet && !self.clock.has_sources() {
            if let Some(deadlock) = self.prove_stuck(main, main_waker) {
                return Err(deadlock);
            }
        }
        let deadline = next.map(core::time::Duration::from_micros);
        let woken = || !self.queue.is_empty();
        self.clock.park(&Park::new(deadline, outside_work, &woken));
        Ok(())
    }

    /// Asks the hooks whether the loop is stuck for good, showing them where
    /// every pending task's wakers are: the loop owns two clones of the
    /// `block_on` future's (the `Arc` and the `Waker`), and none of a task's.
    fn prove_stuck(&self, main: &Arc<MainWaker>, main_waker: &Waker) -> Option<Deadlock> {
        let hooks = self.hooks.as_ref()?;
        let main = Party {
            id: TaskId::MAIN,
            name: Some("main"),
            waker: main_waker,
            clones: Arc::strong_count(main) - 2,
        };
        let proof = self.tasks.inspect(|live, names| {
            let wakers: Vec<_> = live.iter().map(TaskRef::waker).collect();
            let each = live.iter().zip(&wakers).map(|(task, waker)| Party {
                id: task.id(),
                name: names.get(&task.id()).map(|name| &**name),
                waker,
                clones: task.wakers_elsewhere(),
            });
            let tasks: Vec<Party<'_>> = core::iter::once(main).chain(each).collect();
            self.tasks.with_joiners(|joins| {
                hooks.stuck(&Census {
                    tasks: &tasks,
                    joins,
                })
            })
        })?;
        // A wake sent (and its waker dropped) between the look at the queue
        // and the counts: the drop released the reference; this fence
        // acquires it.
        core::sync::atomic::fence(core::sync::atomic::Ordering::Acquire);
        let quiet = self.queue.is_empty() && !self.queue.has_outside_work();
        quiet.then_some(proof)
    }

    /// Advances the wheel to the clock's now and wakes every timer due. An
    /// empty wheel skips the clock read.
    fn fire_timers(&self) {
        if self.timers.borrow().is_empty() {
            return;
        }
        let now = Instant::from_clock(self.clock.now());
        let mut fired = self.fired.take();
        self.timers.borrow_mut().advance(now.tick(), &mut fired);
        for (deadline, waker) in fired.drain(..) {
            if let Some(hooks) = &self.hooks {
                let deadline = Instant::from_clock(core::time::Duration::from_micros(deadline));
                hooks.timer_fired(deadline, now);
            }
            waker.wake();
        }
        *self.fired.borrow_mut() = fired;
    }

    /// Cancels every pending task, and any their destructors spawn (the
    /// caller made this runtime current, so such a spawn lands here).
    pub(crate) fn shutdown(&self) {
        let told = |task: &TaskRef| {
            let name = self.tasks.name(task.id());
            self.hook(|hooks| hooks.dropped_pending(task.id(), name.as_deref()));
        };
        self.tasks.cancel_all(told);
        // Wakes sent while the tasks were dropped have no task left to run;
        // taken out first, as dropping an entry may free a task.
        drop(core::mem::take(&mut *self.ready.borrow_mut()));
        self.queue.close();
    }
}

/// Sets the `block_on` flag back when dropped.
struct InBlockOn<'a>(&'a Cell<bool>);

impl Drop for InBlockOn<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}
