//! The join handle's side of the registry: an ended task's outcome waits
//! in its slot until the handle takes it.
//!
//! Part of `executor/registry.rs`. A handle holds only its task's key and
//! the shared registry, so everything it asks goes through here: has the
//! task ended, give me its outcome (or remember my waker until it ends),
//! and "I am gone": the outcome, when it comes, has no one to go to and is
//! dropped.

use super::{Leftovers, Registry, State, Tasks};
use crate::task::{Body, TaskKey};
use alloc::boxed::Box;
use core::pin::Pin;
use core::task::{Poll, Waker};

/// What a `JoinHandle` finds when it looks for its task.
enum Joined {
    /// Still running; the joiner waker it replaced, to drop.
    Pending(Option<Waker>),
    /// Ended: the body with the outcome, now out of the registry.
    Ended(Pin<Box<dyn Body>>),
    /// Gone without a trace: the key is stale.
    Gone,
}

impl Tasks {
    /// A handle's poll: the ended body, or `None` for a key that matches
    /// nothing. While the task runs, `waker` is kept to be woken when it ends.
    pub(crate) fn poll_join(
        &self,
        key: TaskKey,
        waker: &Waker,
    ) -> Poll<Option<Pin<Box<dyn Body>>>> {
        let joined = self.borrow_mut().poll_join(key, waker);
        match joined {
            Joined::Pending(replaced) => {
                drop(replaced);
                Poll::Pending
            }
            Joined::Ended(body) => Poll::Ready(Some(body)),
            Joined::Gone => Poll::Ready(None),
        }
    }

    /// A join handle was dropped before it gave the outcome.
    pub(crate) fn detach(&self, key: TaskKey) {
        let detached = self.borrow_mut().detach(key);
        detached.release();
    }
}

impl Registry {
    /// A handle's look at its task: the outcome if it ended, else `waker`
    /// is kept to be woken when the task ends.
    fn poll_join(&mut self, key: TaskKey, waker: &Waker) -> Joined {
        let Some(slot) = self.slot_mut(key) else {
            return Joined::Gone;
        };
        match &slot.state {
            State::Finished(_) => match self.vacate(key.index()).body {
                Some(body) => Joined::Ended(body),
                None => unreachable!("an ended slot holds a body"),
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

    /// The handle was dropped: an ended task's outcome goes now, a running
    /// task's when it ends.
    pub(super) fn detach(&mut self, key: TaskKey) -> Leftovers {
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
            body: None,
            joiner: slot.joiner.take(),
        }
    }

    /// Whether the task under `key` has ended: finished, cancelled, or gone.
    pub(crate) fn is_finished(&self, key: TaskKey) -> bool {
        match self.slots.get(key.index()) {
            Some(slot) if slot.generation == key.generation() => {
                !matches!(slot.state, State::Idle(_) | State::Running { .. })
            }
            _ => true,
        }
    }
}
