//! The deadlock proof, a layer: proving that nothing can ever happen again,
//! and saying why.
//!
//! Beside the core, attached at its seam ([`Hooks::stuck`]); read it after
//! `sync.rs`. Other runtimes hang silently on a deadlock. When minirt's loop
//! is about to park with nothing ready, no timer armed and no
//! `spawn_blocking` job out, this layer checks where every task's wakers are.
//!
//! # What is proved
//!
//! The loop's census says, for each pending task, how many clones of its
//! waker exist besides the task's own. This layer knows the places inside
//! the runtime that keep a waker: the queue of each [`Mutex`] a task of this
//! thread waited for, and each `JoinHandle` being awaited (in the census).
//! It tells whose waker a stored one is with `Waker::will_wake`. If every
//! clone of every task's waker is in one of those places, no thread,
//! callback or other runtime can wake any task, and the only wakes left
//! would come from a lock being released or a task ending, which needs some
//! task to run first. Nothing will ever run again: a deadlock, proved, and
//! the report names each task, what it holds and what it waits for.
//!
//! # When it stays silent
//!
//! Whenever the argument might not hold: a waker stored anywhere else (a
//! channel, another thread, an I/O reactor), or a waker that is not a task's
//! own (`FuturesUnordered` hands its children wakers of its own): the count
//! is then higher than what the layer can see, and the loop simply parks.
//! A false "deadlock" is the worst mistake this could make; a missed one
//! is a hang, as on any other runtime.
//!
//! [`Mutex`]: crate::sync::Mutex

use crate::hooks::{Census, Deadlock, Hooks, Party};
use crate::sync::LockState;
use crate::task::TaskId;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::task::Waker;

/// The layer: it keeps nothing; the locks list themselves (`sync.rs`).
pub(crate) struct Prover;

impl Hooks for Prover {
    fn watches_polls(&self) -> bool {
        false
    }

    fn stuck(&self, census: &Census<'_>) -> Option<Deadlock> {
        let mut waits: Vec<Vec<Wait>> = census.tasks.iter().map(|_| Vec::new()).collect();
        // Each task's waker by its data pointer, to find whose a clone is fast.
        let by_data: BTreeMap<*const (), usize> = census
            .tasks
            .iter()
            .enumerate()
            .map(|(at, party)| (party.waker.data(), at))
            .collect();
        let mut file = |waker: &Waker, wait: Wait| match by_data.get(&waker.data()) {
            Some(&at) if census.tasks[at].waker.will_wake(waker) => waits[at].push(wait),
            _ => {}
        };
        for &(target, joiner) in census.joins {
            file(joiner, Wait::Join(target));
        }
        for lock in crate::sync::waited_locks() {
            lock.for_each_waiting(|waker| file(waker, Wait::Mutex(lock.clone())));
        }
        // Every clone found inside the runtime, and none elsewhere.
        let all_found = census
            .tasks
            .iter()
            .zip(&waits)
            .all(|(party, found)| party.clones == found.len());
        if !all_found {
            return None;
        }
        let graph = Graph {
            parties: census.tasks,
            waits,
        };
        let lines: Vec<String> = (0..graph.parties.len())
            .map(|at| graph.explain(at))
            .collect();
        let cycle = graph.find_cycle();
        let mut report = format!(
            "deadlock: no task can ever make progress (nothing ready, no timer armed, no waker \
             held outside the runtime): {}",
            lines.join("; ")
        );
        if let Some(cycle) = &cycle {
            report += &format!("; wait cycle: {cycle}");
        }
        Some(Deadlock::new(report, cycle))
    }
}

/// What a waker found inside the runtime says its task waits for.
enum Wait {
    /// Its turn at a lock.
    Mutex(Rc<LockState>),
    /// Another task's end (a `JoinHandle`).
    Join(TaskId),
}

/// The tasks, and what each waits for.
struct Graph<'a> {
    parties: &'a [Party<'a>],
    waits: Vec<Vec<Wait>>,
}

impl Graph<'_> {
    /// One line about one task: what it holds and what it waits for.
    fn explain(&self, at: usize) -> String {
        let me = self.parties[at].id;
        let mut held: Vec<&str> = self
            .waits
            .iter()
            .flatten()
            .filter_map(|wait| match wait {
                Wait::Mutex(lock) if lock.holder() == Some(me) => Some(lock.name()),
                _ => None,
            })
            .collect();
        held.dedup();
        let holds = if held.is_empty() {
            String::new()
        } else {
            format!(" holds {} and", held.join(", "))
        };
        let who = self.name(me);
        match self.waits[at].first() {
            Some(Wait::Mutex(lock)) => format!("{who}{holds} waits for {}", lock.name()),
            Some(Wait::Join(target)) => {
                format!("{who}{holds} waits for {} to finish", self.name(*target))
            }
            None => {
                format!("{who}{holds} returned Pending but left its waker nowhere (a lost wake-up)")
            }
        }
    }

    /// The first "waits for" edge of a task: through which lock, to whom.
    fn next(&self, id: TaskId) -> Option<(Option<&str>, TaskId)> {
        let at = self.parties.iter().position(|party| party.id == id)?;
        match self.waits[at].first()? {
            Wait::Mutex(lock) => Some((Some(lock.name()), lock.holder()?)),
            Wait::Join(target) => Some((None, *target)),
        }
    }

    /// Follows "waits for" edges from each task until one comes round again.
    fn find_cycle(&self) -> Option<String> {
        for start in self.parties.iter().map(|party| party.id) {
            let (mut path, mut text, mut id) = (Vec::from([start]), self.name(start), start);
            while let Some((via, to)) = self.next(id) {
                if let Some(lock) = via {
                    text += &format!(" -> {lock}");
                }
                text += &format!(" -> {}", self.name(to));
                if to == start {
                    return Some(text);
                }
                if path.contains(&to) {
                    break;
                }
                path.push(to);
                id = to;
            }
        }
        None
    }

    /// A task's printable name: "main", `task-3 "name"` or `task-3`.
    fn name(&self, id: TaskId) -> String {
        let Some(party) = self.parties.iter().find(|party| party.id == id) else {
            return String::from("a finished task");
        };
        match party.name {
            _ if id == TaskId::MAIN => String::from("main"),
            Some(name) => format!("{id} \"{name}\""),
            None => format!("{id}"),
        }
    }
}
