//! [`Builder`]: a runtime with a chosen clock, and the layers attached to it.
//!
//! Beside the core, not in it: this is where side features meet the loop.
//! `Runtime::new()` and `Runtime::with_virtual_clock()` cover the usual
//! cases; the builder is for the rest.

use crate::deadlock::Prover;
use crate::executor::{Core, Timers};
use crate::hooks::{Census, Deadlock, Hooks, Scheduler};
#[cfg(feature = "timer-queues")]
use crate::queues::TimerQueueKind;
use crate::task::TaskId;
#[cfg(any(not(feature = "io"), miri))]
use crate::VirtualClock;
use crate::{Clock, Instant, Runtime};
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec::Vec;

/// Configures a [`Runtime`] before it starts, like `std::thread::Builder`.
///
/// # Examples
///
/// ```
/// let rt = minirt::Runtime::builder().virtual_clock().prove_deadlocks(false).build();
/// assert_eq!(rt.block_on(async { 2 + 2 }), 4);
/// ```
#[must_use = "a builder does nothing until `build` is called"]
pub struct Builder {
    /// `None`: the system clock (without `std`, a virtual one).
    clock: Option<Box<dyn Clock>>,
    #[cfg(feature = "timer-queues")]
    timer_queue: TimerQueueKind,
    /// The layers told of the loop's events, in the order attached.
    layers: Vec<Rc<dyn Hooks>>,
    scheduler: Option<Rc<dyn Scheduler>>,
    prove_deadlocks: bool,
    #[cfg(feature = "std")]
    max_blocking_threads: Option<usize>,
}

impl Builder {
    /// The defaults: system clock, the wheel, the deadlock proof, no hooks.
    pub(crate) fn new() -> Self {
        Builder {
            clock: None,
            #[cfg(feature = "timer-queues")]
            timer_queue: TimerQueueKind::Wheel,
            layers: Vec::new(),
            scheduler: None,
            prove_deadlocks: true,
            #[cfg(feature = "std")]
            max_blocking_threads: None,
        }
    }

    /// Runs on a [`VirtualClock`](crate::VirtualClock): time jumps to the next deadline when idle.
    pub fn virtual_clock(mut self) -> Self {
        // With the io layer, virtual time that waits in the reactor. Miri
        // runs no system call: under it, the plain clocks.
        #[cfg(all(feature = "io", not(miri)))]
        let clock = crate::io::default_clock(true);
        #[cfg(any(not(feature = "io"), miri))]
        let clock = Box::new(VirtualClock::new());
        self.clock = Some(clock);
        self
    }

    /// Runs on any clock.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Box::new(clock));
        self
    }

    /// Keeps pending timers in a queue of `kind` (default: the wheel).
    ///
    /// The binary heap and the ordered map are there to compare the wheel
    /// with (see `queues.rs` and `concur bench queues`): every program
    /// behaves the same on each, to the tick; only a timer's cost differs.
    ///
    /// # Examples
    ///
    /// ```
    /// use minirt::TimerQueueKind;
    /// use std::time::Duration;
    /// for kind in [TimerQueueKind::Wheel, TimerQueueKind::Heap, TimerQueueKind::OrderedMap] {
    ///     let rt = minirt::Runtime::builder().virtual_clock().timer_queue(kind).build();
    ///     rt.block_on(minirt::sleep(Duration::from_millis(1500)));
    ///     assert_eq!(rt.now().duration_since(minirt::Instant::ZERO), Duration::from_millis(1500));
    /// }
    /// ```
    #[cfg(feature = "timer-queues")]
    pub fn timer_queue(mut self, kind: TimerQueueKind) -> Self {
        self.timer_queue = kind;
        self
    }

    /// Attaches a layer: `hooks` hears of every spawn, poll and timer (see
    /// [`Hooks`]). Layers attached earlier hear first.
    pub fn hooks(mut self, hooks: Rc<dyn Hooks>) -> Self {
        self.layers.push(hooks);
        self
    }

    /// Lets `scheduler` pick the next task whenever more than one is ready
    /// (default: first in, first out). [`explore::Policy`](crate::explore::Policy)
    /// is one: random by seed, or a replay of a run's choices.
    pub fn scheduler(mut self, scheduler: Rc<dyn Scheduler>) -> Self {
        self.scheduler = Some(scheduler);
        self
    }

    /// Whether the loop, about to wait for ever, proves the deadlock and
    /// stops with a report naming it (default: yes; see `deadlock.rs`).
    /// The proof is silent whenever it cannot be sure; off, a deadlocked
    /// loop hangs, as other runtimes do.
    pub fn prove_deadlocks(mut self, prove: bool) -> Self {
        self.prove_deadlocks = prove;
        self
    }

    /// Runs `spawn_blocking` calls on at most `max` threads at once
    /// (default 64; see `blocking.rs`). The pool belongs to this thread:
    /// the cap holds for every runtime on it, from this build on.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = minirt::Runtime::builder().max_blocking_threads(2).build();
    /// let sum = rt.block_on(async {
    ///     let jobs: Vec<_> = (0..10).map(|n| minirt::spawn_blocking(move || n)).collect();
    ///     minirt::join_all(jobs).await.into_iter().map(Result::unwrap).sum::<i32>()
    /// });
    /// assert_eq!(sum, 45);
    /// ```
    #[cfg(feature = "std")]
    pub fn max_blocking_threads(mut self, max: usize) -> Self {
        self.max_blocking_threads = Some(max);
        self
    }

    /// The runtime.
    pub fn build(mut self) -> Runtime {
        #[cfg(feature = "std")]
        if let Some(max) = self.max_blocking_threads {
            crate::blocking::set_max_threads(max);
        }
        let clock = self.clock.take().unwrap_or_else(default_clock);
        let start = Instant::from_clock(clock.now()).tick();
        #[cfg(feature = "timer-queues")]
        let timers = Timers::of_kind(self.timer_queue, start);
        #[cfg(not(feature = "timer-queues"))]
        let timers = Timers::new(start);
        if self.prove_deadlocks {
            self.layers.push(Rc::new(Prover));
        }
        let hooks: Option<Rc<dyn Hooks>> = match self.layers.len() {
            0 => None,
            1 => self.layers.pop(),
            _ => Some(Rc::new(Layers(self.layers))),
        };
        Runtime::from_core(Core::new(clock, timers, hooks, self.scheduler))
    }
}

/// The clock a runtime gets when none is chosen.
fn default_clock() -> Box<dyn Clock> {
    // With the io layer, the system clock waits in the reactor.
    #[cfg(all(feature = "io", not(miri)))]
    return crate::io::default_clock(false);
    #[cfg(all(feature = "std", any(not(feature = "io"), miri)))]
    return Box::new(crate::SystemClock);
    // Without an OS there is no system clock to default to.
    #[cfg(not(feature = "std"))]
    Box::new(VirtualClock::new())
}

/// Several layers as one: each event goes to each, in order.
struct Layers(Vec<Rc<dyn Hooks>>);

impl Hooks for Layers {
    fn watches_polls(&self) -> bool {
        self.0.iter().any(|layer| layer.watches_polls())
    }
    fn spawned(&self, task: TaskId, name: Option<&str>) {
        self.0.iter().for_each(|layer| layer.spawned(task, name));
    }
    fn poll_started(&self, task: TaskId) {
        self.0.iter().for_each(|layer| layer.poll_started(task));
    }
    fn poll_ended(&self, task: TaskId, finished: bool) {
        self.0
            .iter()
            .for_each(|layer| layer.poll_ended(task, finished));
    }
    fn timer_fired(&self, deadline: Instant, now: Instant) {
        self.0
            .iter()
            .for_each(|layer| layer.timer_fired(deadline, now));
    }
    fn io_waiting(&self, task: TaskId, source: u64, read: bool) {
        self.0
            .iter()
            .for_each(|layer| layer.io_waiting(task, source, read));
    }
    fn io_ready(&self, source: u64, read: bool, write: bool) {
        self.0
            .iter()
            .for_each(|layer| layer.io_ready(source, read, write));
    }
    fn dropped_pending(&self, task: TaskId, name: Option<&str>) {
        self.0
            .iter()
            .for_each(|layer| layer.dropped_pending(task, name));
    }
    fn stuck(&self, census: &Census<'_>) -> Option<Deadlock> {
        self.0.iter().find_map(|layer| layer.stuck(census))
    }
}
