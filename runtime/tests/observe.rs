//! Observer hooks: the stall report of the article's blocking call, exact on
//! the virtual clock; the poll trace; tasks dropped while pending.

use minirt::observe::{Observer, Stall, TaskRef};
use minirt::{Instant, Runtime};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// Records what it hears, as text.
#[derive(Default)]
struct Recorder {
    /// Stall reports.
    stalls: RefCell<Vec<Stall>>,
    /// Poll and drop events, in order.
    events: RefCell<Vec<String>>,
}

/// A task's name, or its id.
fn label(task: TaskRef<'_>) -> String {
    task.name.map_or_else(|| task.id.to_string(), String::from)
}

impl Observer for Recorder {
    fn poll_started(&self, task: TaskRef<'_>, at: Instant) {
        let at = at.duration_since(Instant::ZERO).as_secs();
        self.events
            .borrow_mut()
            .push(format!("{at}s poll {}", label(task)));
    }

    fn stalled(&self, stall: &Stall) {
        self.stalls.borrow_mut().push(stall.clone());
    }

    fn dropped_pending(&self, task: TaskRef<'_>) {
        self.events
            .borrow_mut()
            .push(format!("dropped {}", label(task)));
    }
}

/// A runtime on the virtual clock that tells `recorder` what happens.
fn observed(recorder: Rc<Recorder>) -> Runtime {
    Runtime::builder()
        .virtual_clock()
        .observer(recorder)
        .build()
}

/// The article's gather with a blocking call in THREE, on an observed runtime.
fn blocking_gather(recorder: Rc<Recorder>) {
    let rt = observed(recorder);
    rt.block_on(async {
        let tasks = ["ONE", "TWO", "THREE", "FOUR", "FIVE"]
            .into_iter()
            .zip(1..)
            .map(|(name, secs)| {
                minirt::spawn_named(name, async move {
                    let delay = Duration::from_secs(secs);
                    if name == "THREE" {
                        minirt::time::block_thread_for(delay);
                    } else {
                        minirt::sleep(delay).await;
                    }
                })
            });
        for task in tasks.collect::<Vec<_>>() {
            task.await.unwrap();
        }
    });
}

#[test]
fn the_blocking_call_is_named_with_its_damage() {
    let recorder = Rc::new(Recorder::default());
    blocking_gather(recorder.clone());
    let stalls = recorder.stalls.borrow();
    assert_eq!(stalls.len(), 1, "one stall: THREE's");
    let stall = &stalls[0];
    assert_eq!(stall.name.as_deref(), Some("THREE"));
    assert_eq!(stall.started, Instant::ZERO);
    assert_eq!(stall.held, Duration::from_secs(3));
    let late: Vec<_> = stall
        .late_timers
        .iter()
        .map(|(_, name, late)| (name.as_deref().unwrap(), *late))
        .collect();
    // ONE was due at 1 s and TWO at 2 s; both fired at 3 s.
    assert_eq!(
        late,
        [
            ("ONE", Duration::from_secs(2)),
            ("TWO", Duration::from_secs(1))
        ]
    );
    let waited: Vec<_> = stall
        .waited
        .iter()
        .map(|(_, name)| name.as_deref().unwrap())
        .collect();
    // FOUR and FIVE were ready to start but sat behind THREE.
    assert_eq!(waited, ["FOUR", "FIVE"]);
}

#[test]
fn every_poll_is_heard_in_order() {
    let recorder = Rc::new(Recorder::default());
    blocking_gather(recorder.clone());
    let events = recorder.events.borrow();
    assert_eq!(
        events[..7],
        [
            "0s poll main", // spawns all five, awaits ONE
            "0s poll ONE",
            "0s poll TWO",
            "0s poll THREE", // blocks until 3 s
            "3s poll FOUR",  // late starters
            "3s poll FIVE",
            "3s poll ONE", // its 1 s timer, fired at 3 s
        ]
    );
}

#[test]
fn tasks_dropped_while_pending_are_named() {
    let recorder = Rc::new(Recorder::default());
    let rt = observed(recorder.clone());
    rt.block_on(async {
        drop(minirt::spawn_named(
            "forgotten",
            minirt::sleep(Duration::from_secs(60)),
        ));
        minirt::yield_now().await;
    });
    drop(rt);
    assert_eq!(
        recorder.events.borrow().last().unwrap(),
        "dropped forgotten"
    );
}

#[test]
fn short_polls_are_not_stalls() {
    let recorder = Rc::new(Recorder::default());
    let rt = observed(recorder.clone());
    rt.block_on(async {
        minirt::join_all((1..=3).map(|n| minirt::sleep(Duration::from_secs(n)))).await;
    });
    assert!(recorder.stalls.borrow().is_empty());
}

/// An observer that spawns and counts from its hooks, and panics once
/// when a task named "victim" is about to be polled.
#[derive(Default)]
struct Meddler {
    /// Spawns made from the `spawned` hook.
    spawned_from_hook: std::cell::Cell<u32>,
    /// Whether the panic was raised.
    panicked: std::cell::Cell<bool>,
}

impl Observer for Meddler {
    fn spawned(&self, task: TaskRef<'_>) {
        minirt::task_count();
        if task.name == Some("parent") {
            self.spawned_from_hook.set(self.spawned_from_hook.get() + 1);
            drop(minirt::spawn_named("from a hook", async {}));
        }
    }

    fn poll_started(&self, task: TaskRef<'_>, _at: Instant) {
        minirt::task_count();
        if task.name == Some("victim") && !self.panicked.replace(true) {
            panic!("observer panicked");
        }
    }
}

#[test]
fn an_observer_may_spawn_and_look_around_from_its_hooks() {
    let meddler = Rc::new(Meddler::default());
    let rt = Runtime::builder()
        .virtual_clock()
        .observer(meddler.clone())
        .build();
    rt.block_on(async {
        minirt::spawn_named("parent", async { 7 }).await.unwrap();
        minirt::yield_now().await;
    });
    assert_eq!(meddler.spawned_from_hook.get(), 1);
    assert_eq!(rt.task_count(), 0, "the hook's task ran too");
}

#[test]
fn an_observer_that_panics_leaves_every_handle_resolvable() {
    let meddler = Rc::new(Meddler::default());
    let rt = Runtime::builder()
        .virtual_clock()
        .observer(meddler.clone())
        .build();
    let victim = rt.spawn_named("victim", async { 42 });
    let raised = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(minirt::yield_now())
    }));
    assert!(raised.is_err(), "the hook's panic reaches block_on");
    assert_eq!(rt.block_on(victim).unwrap(), 42);
}
