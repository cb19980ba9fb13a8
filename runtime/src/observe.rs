//! Seeing inside the loop: the [`Observer`] hooks, and stall attribution.
//!
//! Read this after `executor.rs`. The loop knows, better than anyone, when
//! each task ran, for how long, and which timers fired late. An observer
//! (installed with [`Builder::observer`](crate::Builder::observer)) hears it
//! all; with none installed the loop reads no extra clock and pays one
//! branch per poll.
//!
//! A **stall** is a poll that held the loop longer than a threshold (100 ms
//! by default, like asyncio's debug mode). asyncio names the slow task;
//! minirt also reports the damage, because it can see it: the timers that
//! came due during the stall (and by how much they fired late) and the tasks
//! that sat ready in the queue, waiting for the thread to come back.

use crate::executor::Core;
use crate::task::TaskId;
use crate::time::Timer;
use crate::Instant;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::task::Poll;
use core::time::Duration;

/// A task as observers see it: its id and its name, if it has one. The
/// `block_on` future is `task-0`, named "main".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskRef<'a> {
    /// The task's id.
    pub id: TaskId,
    /// The name given at spawn.
    pub name: Option<&'a str>,
}

/// Hooks called by the loop, on the loop's thread. Every method has an
/// empty default: implement the ones you need.
///
/// # Examples
///
/// ```
/// use minirt::observe::{Observer, Stall};
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use std::time::Duration;
///
/// #[derive(Default)]
/// struct Stalls(RefCell<Vec<String>>);
///
/// impl Observer for Stalls {
///     fn stalled(&self, stall: &Stall) {
///         self.0.borrow_mut().push(format!("{:?} held the loop {:?}", stall.name, stall.held));
///     }
/// }
///
/// let stalls = Rc::new(Stalls::default());
/// let rt = minirt::Runtime::builder().virtual_clock().observer(stalls.clone()).build();
/// rt.block_on(async {
///     let sleeper = minirt::spawn(minirt::sleep(Duration::from_secs(1)));
///     minirt::spawn_named("hog", async {
///         minirt::time::block_thread_for(Duration::from_secs(3));
///     })
///     .await
///     .unwrap();
///     sleeper.await.unwrap();
/// });
/// assert_eq!(*stalls.0.borrow(), [r#"Some("hog") held the loop 3s"#]);
/// ```
pub trait Observer {
    /// A task was spawned.
    fn spawned(&self, _task: TaskRef<'_>) {}
    /// The loop is about to poll a task.
    fn poll_started(&self, _task: TaskRef<'_>, _at: Instant) {}
    /// The poll returned (`finished`: the task is done).
    fn poll_ended(&self, _task: TaskRef<'_>, _at: Instant, _finished: bool) {}
    /// A timer fired, woken by the loop at `at` for a `deadline`.
    fn timer_fired(&self, _task: TaskRef<'_>, _deadline: Instant, _at: Instant) {}
    /// A poll held the loop past the threshold; the report is complete.
    fn stalled(&self, _stall: &Stall) {}
    /// The runtime was dropped with this task still pending (asyncio's
    /// "Task was destroyed but it is pending!").
    fn dropped_pending(&self, _task: TaskRef<'_>) {}
}

/// A poll that held the loop too long, and what it cost the others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stall {
    /// The task whose poll stalled the loop.
    pub task: TaskId,
    /// Its name.
    pub name: Option<String>,
    /// When the poll began.
    pub started: Instant,
    /// How long it held the loop.
    pub held: Duration,
    /// Timers that came due during the stall: (task, its name, how late).
    pub late_timers: Vec<(TaskId, Option<String>, Duration)>,
    /// Tasks that were ready when the stall ended, and so had to wait.
    pub waited: Vec<(TaskId, Option<String>)>,
}

/// The loop's observation state: the observer, its threshold, and the stall
/// report being assembled.
pub(crate) struct Observe {
    /// Who to tell.
    observer: alloc::rc::Rc<dyn Observer>,
    /// Polls at least this long are stalls.
    pub(crate) threshold: Duration,
    /// A stall whose damage is still being counted.
    draft: RefCell<Option<Draft>>,
    /// The first panic a hook raised, kept for the loop to re-raise.
    #[cfg(feature = "std")]
    panic: RefCell<Option<alloc::boxed::Box<dyn core::any::Any + Send>>>,
}

/// A stall report in the making.
struct Draft {
    /// The report so far.
    stall: Stall,
    /// Tasks still to be polled that were queued when the stall ended.
    queued: usize,
    /// Whether the timers due during the stall have been collected.
    timers_done: bool,
}

impl Observe {
    /// Observation with `observer`, reporting polls of `threshold` or more.
    pub(crate) fn new(observer: alloc::rc::Rc<dyn Observer>, threshold: Duration) -> Self {
        Observe {
            observer,
            threshold,
            draft: RefCell::new(None),
            #[cfg(feature = "std")]
            panic: RefCell::new(None),
        }
    }

    /// Calls one of the observer's hooks. A panic in it is caught and kept:
    /// it would otherwise unwind through the loop with a task out of the
    /// registry. The loop re-raises it once its state is whole again.
    fn hook(&self, call: impl FnOnce(&dyn Observer)) {
        #[cfg(feature = "std")]
        {
            let observer = &*self.observer;
            let called = std::panic::catch_unwind(core::panic::AssertUnwindSafe(|| call(observer)));
            if let Err(payload) = called {
                self.panic.borrow_mut().get_or_insert(payload);
            }
        }
        #[cfg(not(feature = "std"))]
        call(&*self.observer);
    }

    /// The panic a hook raised, if any, to re-raise.
    #[cfg(feature = "std")]
    pub(crate) fn take_panic(&self) -> Option<alloc::boxed::Box<dyn core::any::Any + Send>> {
        self.panic.borrow_mut().take()
    }

    /// A task was spawned (and is in the registry).
    pub(crate) fn spawned(&self, task: TaskRef<'_>) {
        self.hook(|observer| observer.spawned(task));
    }

    /// A pending task is about to be dropped with its runtime.
    pub(crate) fn dropped_pending(&self, task: TaskRef<'_>) {
        self.hook(|observer| observer.dropped_pending(task));
    }

    /// Runs one poll of `who`, telling the observer when it starts and ends,
    /// and checking it for a stall.
    pub(crate) fn watch<T>(
        &self,
        core: &Core,
        who: TaskRef<'_>,
        poll: impl FnOnce() -> Poll<T>,
    ) -> Poll<T> {
        let started = Instant::from_clock(core.clock.now());
        self.hook(|observer| observer.poll_started(who, started));
        let polled = poll();
        let ended = Instant::from_clock(core.clock.now());
        self.hook(|observer| observer.poll_ended(who, ended, polled.is_ready()));
        self.after_poll(who, started, ended, core.ready_len());
        polled
    }

    /// A timer fired at `now`: tell the observer, and count it if it was late.
    pub(crate) fn report_timer(&self, core: &Core, deadline: u64, timer: &Timer, now: Duration) {
        let Some((id, name)) = core.identify(timer.owner) else {
            return;
        };
        let deadline = Instant::from_clock(Duration::from_micros(deadline));
        self.timer_fired(
            TaskRef {
                id,
                name: name.as_deref(),
            },
            deadline,
            Instant::from_clock(now),
        );
    }

    /// After a poll of `task` from `started` to `ended`: maybe a stall begins.
    /// `queued` is how many tasks are ready right now.
    fn after_poll(&self, task: TaskRef<'_>, started: Instant, ended: Instant, queued: usize) {
        let held = ended - started;
        if held < self.threshold {
            self.note_waited(task);
            return;
        }
        let stall = Stall {
            task: task.id,
            name: task.name.map(String::from),
            started,
            held,
            late_timers: Vec::new(),
            waited: Vec::new(),
        };
        // A stall during the counting of another ends the first report.
        self.deliver();
        *self.draft.borrow_mut() = Some(Draft {
            stall,
            queued,
            timers_done: false,
        });
    }

    /// A poll that waited behind the stall, if one is being counted.
    fn note_waited(&self, task: TaskRef<'_>) {
        if let Some(draft) = self.draft.borrow_mut().as_mut() {
            if draft.queued > 0 {
                draft.queued -= 1;
                draft
                    .stall
                    .waited
                    .push((task.id, task.name.map(String::from)));
            }
        }
        self.deliver_if_complete();
    }

    /// A timer fired at `at`: if it came due during the stall, it was late.
    fn timer_fired(&self, task: TaskRef<'_>, deadline: Instant, at: Instant) {
        self.hook(|observer| observer.timer_fired(task, deadline, at));
        if let Some(draft) = self.draft.borrow_mut().as_mut() {
            let stall_end = draft.stall.started + draft.stall.held;
            if !draft.timers_done && deadline < stall_end {
                let late = (task.id, task.name.map(String::from), at - deadline);
                draft.stall.late_timers.push(late);
            }
        }
    }

    /// The loop has fired every timer due after the stall.
    pub(crate) fn timers_turned(&self) {
        if let Some(draft) = self.draft.borrow_mut().as_mut() {
            draft.timers_done = true;
        }
        self.deliver_if_complete();
    }

    /// Hands over the report once its damage is fully counted.
    fn deliver_if_complete(&self) {
        let complete =
            matches!(&*self.draft.borrow(), Some(draft) if draft.timers_done && draft.queued == 0);
        if complete {
            self.deliver();
        }
    }

    /// Hands over the report being counted, if any (also when the loop stops).
    pub(crate) fn deliver(&self) {
        let draft = self.draft.borrow_mut().take();
        if let Some(draft) = draft {
            self.hook(|observer| observer.stalled(&draft.stall));
        }
    }
}

/// The id observers see for the `block_on` future.
pub(crate) const MAIN_ID: TaskId = TaskId(0);

/// How observers see the `block_on` future.
pub(crate) fn main_ref() -> TaskRef<'static> {
    TaskRef {
        id: MAIN_ID,
        name: Some("main"),
    }
}
