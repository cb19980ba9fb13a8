//! Proving that nothing can ever happen again, and saying why.
//!
//! Part of `executor.rs`; read it after `sync.rs`. Other runtimes hang
//! silently on a deadlock. minirt can do better, because when it is about to
//! park with no timer armed it can check one fact: where are the wakers?
//!
//! Every task owns two references to its waker (`Task::waker` and
//! `Task::context_waker`). Each place inside the runtime that keeps a waker
//! for a task (a `Mutex`'s queue of waiters, the registry slot of a task
//! whose handle it awaits) is announced by the task when it returns
//! `Pending` (see [`Wait`]) and holds one more. If every task's count is exactly that, no waker exists outside
//! the runtime: no thread, timer or callback can ever wake anyone, and
//! waiting would last forever. That is a deadlock, proved rather than
//! guessed; the report names each task, what it holds and what it waits for.
//!
//! The check errs on the side of silence: a waker stored anywhere unknown (a
//! channel, another thread) raises the count, and then the loop just parks.

use super::Core;
use crate::sync::LockState;
use crate::task::TaskKey;
use crate::waker::TaskWaker;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

/// What a task announced it waits for when it returned `Pending`; each
/// variant stands for exactly one waker clone held inside the runtime.
pub(crate) enum Wait {
    /// Its turn at a `minirt::sync::Mutex`.
    #[cfg_attr(not(feature = "std"), allow(dead_code))]
    // The Mutex needs `std`'s current runtime.
    Mutex(Rc<LockState>),
    /// Another task's end (a `JoinHandle`).
    Join(TaskKey),
}

/// One task as the diagnosis sees it.
struct Party<'a> {
    /// Where it lives.
    key: TaskKey,
    /// Its waker's reference count.
    wakers: usize,
    /// What it waits for, if it said.
    wait: Option<&'a Wait>,
}

/// Explains the deadlock, or `None` if some waker might still fire.
///
/// Called only when nothing is ready and no timer is armed.
pub(super) fn diagnose(
    core: &Core,
    main: &Arc<TaskWaker>,
    main_wait: Option<&Wait>,
) -> Option<String> {
    let registry = core.registry.borrow();
    let mut parties = Vec::with_capacity(registry.len() + 1);
    parties.push(Party {
        key: TaskKey::MAIN,
        wakers: Arc::strong_count(main),
        wait: main_wait,
    });
    for task in registry.idle_tasks() {
        let wakers = Arc::strong_count(&task.waker);
        parties.push(Party {
            key: task.waker.key(),
            wakers,
            wait: task.wait.as_ref(),
        });
    }
    // Two references of its own, plus one per announced wait.
    if parties
        .iter()
        .any(|party| party.wakers != 2 + usize::from(party.wait.is_some()))
    {
        return None;
    }
    // A thread may have woken a task and dropped its waker after the loop
    // found the queue empty, and before the counts were read. Its drop
    // released the queued key; this fence acquires it, so a second look at
    // the queue cannot miss that wake.
    core::sync::atomic::fence(core::sync::atomic::Ordering::Acquire);
    if core.ready_len() != 0 {
        return None;
    }
    let mut lines: Vec<String> = parties
        .iter()
        .map(|party| explain(core, party, &parties))
        .collect();
    if let Some(cycle) = find_cycle(core, &parties) {
        lines.push(format!("wait cycle: {cycle}"));
    }
    Some(format!(
        "deadlock: no task can ever make progress (nothing ready, no timer armed, no waker \
         held outside the runtime): {}",
        lines.join("; ")
    ))
}

/// One line about one task: what it holds and what it waits for.
fn explain(core: &Core, party: &Party<'_>, parties: &[Party<'_>]) -> String {
    let who = name(core, party.key);
    let held: Vec<&str> = parties
        .iter()
        .filter_map(|other| match other.wait {
            Some(Wait::Mutex(lock)) if lock.holder() == Some(party.key) => Some(lock.name()),
            _ => None,
        })
        .collect();
    let holds = if held.is_empty() {
        String::new()
    } else {
        format!(" holds {} and", held.join(", "))
    };
    match party.wait {
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
        match parties.iter().find(|party| party.key == key)?.wait? {
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
