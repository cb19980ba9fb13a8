//! The join handle's side of the registry: a finished task's outcome waits
//! in its slot until the handle takes it.
//!
//! Part of `executor/registry.rs`. A handle holds only its task's key, so
//! everything it asks goes through here: has the task ended, give me its
//! outcome (or remember my waker until it ends), and "I am gone": the
//! outcome, when it comes, has no one to go to and is dropped.

use super::{Leftovers, Registry, State};
use crate::task::{Body, TaskKey};
use alloc::boxed::Box;
use core::pin::Pin;
use core::task::Waker;

/// What a `JoinHandle` finds when it looks for its task.
pub(crate) enum Joined {
    /// Still running; the joiner waker it replaced, to drop.
    Pending(Option<Waker>),
    /// Finished: the body with the outcome, now out of the registry.
    Finished(Pin<Box<dyn Body>>),
    /// Gone without an outcome: aborted, or dropped with its runtime.
    Gone,
}

impl Registry {
    /// A handle's look at its task: the outcome if it finished, else
    /// `waker` is kept to be woken when the task ends.
    pub(crate) fn poll_join(&mut self, key: TaskKey, waker: &Waker) -> Joined {
        let Some(slot) = self.slot_mut(key) else {
            return Joined::Gone;
        };
        match &slot.state {
            State::Finished(_) => match self.vacate(key.index()).body {
                Some(body) => Joined::Finished(body),
                None => unreachable!("a finished slot holds a body"),
            },
            State::Idle(_) | State::Running { .. } => {
                if slot.joiner.as_ref().is_some_and(|w| w.will_wake(waker)) {
                    return Joined::Pending(None);
                }
                Joined::Pending(slot.joiner.replace(waker.clone()))
            }
            State::Vacant { .. } => Joined::Gone,
        }
    }

    /// The handle was dropped: a finished task's outcome goes now, a running
    /// task's when it finishes.
    pub(crate) fn detach(&mut self, key: TaskKey) -> Leftovers {
        let Some(slot) = self.slot_mut(key) else {
            return Leftovers::default();
        };
        if matches!(slot.state, State::Finished(_)) {
            return self.vacate(key.index());
        }
        slot.detached = true;
        // Whoever awaited the handle let go of it: a spurious wake, which
        // futures tolerate, lets its waker go outside the registry's borrow.
        Leftovers {
            joiner: slot.joiner.take(),
            ..Leftovers::default()
        }
    }

    /// Whether the task under `key` has ended: finished, or gone.
    pub(crate) fn is_finished(&self, key: TaskKey) -> bool {
        match self.slots.get(key.index()) {
            Some(slot) if slot.generation == key.generation() => {
                matches!(slot.state, State::Finished(_))
            }
            _ => true,
        }
    }
}
