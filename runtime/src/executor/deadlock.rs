//! Proving that nothing can ever happen again, and saying why.
//!
//! Part of `executor.rs`; read it after `sync.rs`. Other runtimes hang
//! silently on a deadlock. minirt can do better: when it is about to park
//! with nothing ready, no timer armed and no `spawn_blocking` job out, it
//! can check where every task's wakers are.
//!
//! # What is proved
//!
//! A task's waker is one `Arc`; its strong count says how many clones
//! exist. The task itself owns two. The loop knows every other place inside
//! the runtime that keeps a waker: the queue of each [`Mutex`] a task of
//! this loop has waited for, and the registry slot of each task whose
//! `JoinHandle` is awaited. It tells which task a stored waker belongs to
//! by comparing it with the task's own (`Waker::will_wake`). If, for every
//! task, the count is exactly its two plus the clones found in those
//! places, then no waker of any task exists anywhere else: no thread,
//! callback or other runtime can wake one, and the only wakes left would
//! come from a lock being released or a task ending, which needs some task
//! to run first. Nothing will ever run again. That is a deadlock, proved,
//! and the report names each task, what it holds and what it waits for.
//!
//! # When it stays silent
//!
//! Whenever the argument might not hold: a waker stored anywhere else (a
//! channel, another thread, a timer from another runtime), or a waker that
//! is not a task's own (a combinator such as `FuturesUnordered` hands its
//! children wakers of its own, and keeps the task's waker inside): the count
//! is then higher than what the loop can see, and the loop simply parks.
//! A false "deadlock" would be the worst mistake this check could make; a
//! missed one is a hang, as on any other runtime. `Builder::prove_deadlocks`
//! turns the check off.
//!
//! [`Mutex`]: crate::sync::Mutex

use super::Core;
use crate::sync::LockState;
use crate::task::TaskKey;
use crate::waker::TaskWaker;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::rc::{Rc, Weak};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::task::Waker;

/// The locks whose queues the proof looks into: each lock a task of this
/// loop waited for, listed at its first wait.
#[derive(Default)]
pub(crate) struct Locks(RefCell<Vec<Weak<LockState>>>);

impl Locks {
    /// Lists `lock`, unless some runtime already has. (A lock listed by
    /// another runtime is invisible here: its waiters' wakers then count as
    /// held elsewhere, and the proof stays silent.)
    #[cfg_attr(not(feature = "std"), allow(dead_code))] // The Mutex needs `std`.
    pub(crate) fn list(&self, lock: &Rc<LockState>) {
        if lock.listed.replace(true) {
            return;
        }
        let mut locks = self.0.borrow_mut();
        if locks.len() == locks.capacity() {
            // Forget dropped locks before the list grows.
            locks.retain(|lock| lock.strong_count() > 0);
        }
        locks.push(Rc::downgrade(lock));
    }
}

/// What a waker found inside the runtime says its task waits for.
enum Wait {
    /// Its turn at a lock.
    Mutex(Rc<LockState>),
    /// Another task's end (a `JoinHandle`).
    Join(TaskKey),
}

/// One task as the diagnosis sees it.
struct Party<'a> {
    /// Where it lives.
    key: TaskKey,
    /// Its own waker, to recognise clones by.
    waker: &'a Waker,
    /// Its waker's reference count.
    wakers: usize,
    /// What each clone found inside the runtime waits for.
    waits: Vec<Wait>,
}

/// A proved deadlock: what [`Runtime::try_block_on`](crate::Runtime::try_block_on)
/// returns, and what `block_on` panics with (as text), when no task can
/// ever make progress.
///
/// Its text names each task, what it holds and what it waits for, and the
/// wait cycle if there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadlock {
    /// One line per task, then the cycle.
    report: String,
}

impl Deadlock {
    /// The whole report, starting "deadlock:".
    pub fn report(&self) -> &str {
        &self.report
    }

    /// The wait cycle, as "A -> m2 -> B -> m1 -> A", if the waits form one.
    pub fn cycle(&self) -> Option<&str> {
        let (_, cycle) = self.report.split_once("wait cycle: ")?;
        Some(cycle)
    }
}

impl core::fmt::Display for Deadlock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.report)
    }
}

impl core::error::Error for Deadlock {}

/// Explains the deadlock, or `None` if some waker might still fire.
///
/// Called only when nothing is ready, no timer is armed and no job is out.
pub(super) fn diagnose(core: &Core, main: &Arc<TaskWaker>, main_waker: &Waker) -> Option<Deadlock> {
    let locks = core.locks.as_ref()?;
    let registry = core.registry.borrow();
    let mut parties = Vec::with_capacity(registry.len() + 1);
    parties.push(Party {
        key: TaskKey::MAIN,
        waker: main_waker,
        wakers: Arc::strong_count(main),
        waits: Vec::new(),
    });
    for (key, task) in registry.idle_tasks() {
        parties.push(Party {
            key,
            waker: &task.context_waker,
            wakers: Arc::strong_count(&task.waker),
            waits: Vec::new(),
        });
    }
    let mut file = Filing::new(&mut parties);
    for (target, joiner) in registry.joiners() {
        file.add(joiner, Wait::Join(target));
    }
    for lock in locks.0.borrow().iter().filter_map(Weak::upgrade) {
        lock.for_each_waiting(|waker| file.add(waker, Wait::Mutex(lock.clone())));
    }
    // Two clones of its own, plus those found inside the runtime.
    if parties
        .iter()
        .any(|party| party.wakers != 2 + party.waits.len())
    {
        return None;
    }
    // A thread may have woken a task and dropped its waker after the loop
    // found the queue empty, and before the counts were read. Its drop
    // released the queued key; this fence acquires it, so a second look at
    // the queue cannot miss that wake.
    core::sync::atomic::fence(core::sync::atomic::Ordering::Acquire);
    if core.ready_len() != 0 || core.queue.has_outside_work() {
        return None;
    }
    let mut lines: Vec<String> = parties
        .iter()
        .map(|party| explain(core, party, &parties))
        .collect();
    if let Some(cycle) = find_cycle(core, &parties) {
        lines.push(format!("wait cycle: {cycle}"));
    }
    let report = format!(
        "deadlock: no task can ever make progress (nothing ready, no timer armed, no waker \
         held outside the runtime): {}",
        lines.join("; ")
    );
    Some(Deadlock { report })
}

/// Files each waker found inside the runtime with the task it belongs to.
struct Filing<'p, 'a> {
    /// The tasks.
    parties: &'p mut [Party<'a>],
    /// Each task's waker data pointer, to find its party fast.
    by_data: BTreeMap<*const (), usize>,
}

impl<'p, 'a> Filing<'p, 'a> {
    /// An index of `parties` by waker.
    fn new(parties: &'p mut [Party<'a>]) -> Self {
        let by_data = parties
            .iter()
            .enumerate()
            .map(|(at, party)| (party.waker.data(), at))
            .collect();
        Filing { parties, by_data }
    }

    /// Files `waker` with its task, if it is a clone of a task's own.
    fn add(&mut self, waker: &Waker, wait: Wait) {
        let Some(&at) = self.by_data.get(&waker.data()) else {
            return;
        };
        let party = &mut self.parties[at];
        if party.waker.will_wake(waker) {
            party.waits.push(wait);
        }
    }
}

/// One line about one task: what it holds and what it waits for.
fn explain(core: &Core, party: &Party<'_>, parties: &[Party<'_>]) -> String {
    let who = name(core, party.key);
    let mut held: Vec<&str> = parties
        .iter()
        .flat_map(|other| &other.waits)
        .filter_map(|wait| match wait {
            Wait::Mutex(lock) if lock.holder() == Some(party.key) => Some(lock.name()),
            _ => None,
        })
        .collect();
    held.dedup();
    let holds = if held.is_empty() {
        String::new()
    } else {
        format!(" holds {} and", held.join(", "))
    };
    match party.waits.first() {
        Some(Wait::Mutex(lock)) => format!("{who}{holds} waits for {}", lock.name()),
        Some(Wait::Join(target)) => {
            format!("{who}{holds} waits for {} to finish", name(core, *target))
        }
        None => {
            format!("{who}{holds} returned Pending but left its waker nowhere (a lost wake-up)")
        }
    }
}

/// Follows "waits for" edges from each task until one comes round again.
fn find_cycle(core: &Core, parties: &[Party<'_>]) -> Option<String> {
    let next = |key: TaskKey| -> Option<(Option<&str>, TaskKey)> {
        match parties
            .iter()
            .find(|party| party.key == key)?
            .waits
            .first()?
        {
            Wait::Mutex(lock) => Some((Some(lock.name()), lock.holder()?)),
            Wait::Join(target) => Some((None, *target)),
        }
    };
    for start in parties {
        let mut path = alloc::vec![start.key];
        let mut steps = Vec::new();
        let mut key = start.key;
        while let Some((via, to)) = next(key) {
            steps.push(via);
            if to == start.key {
                let mut text = name(core, start.key);
                for (via, key) in steps.iter().zip(path.iter().skip(1).chain([&start.key])) {
                    if let Some(lock) = via {
                        text += &format!(" -> {lock}");
                    }
                    text += &format!(" -> {}", name(core, *key));
                }
                return Some(text);
            }
            if path.contains(&to) {
                break;
            }
            path.push(to);
            key = to;
        }
    }
    None
}

/// A task's printable name.
fn name(core: &Core, key: TaskKey) -> String {
    core.describe(key)
        .unwrap_or_else(|| String::from("a finished task"))
}
