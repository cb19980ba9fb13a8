//! The hooks seam: a layer hears every spawn, poll, timer and drop, in order,
//! in plain values; a stall detector written against it (what minirt's old
//! built-in observer did) names the task that held the loop and the timers
//! it made late, exactly, on the virtual clock.

use minirt::hooks::Hooks;
use minirt::{Instant, Runtime, TaskId};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

/// Records each event as a line, and finds stalls as a layer would: a poll
/// longer than `threshold` is a stall; a timer due during it fired late.
#[derive(Default)]
struct Recorder {
    events: RefCell<Vec<String>>,
    names: RefCell<HashMap<TaskId, String>>,
    started: RefCell<Option<Instant>>,
    /// The last stall: who held the loop, from when, for how long.
    stall: RefCell<Option<(String, Instant, Duration)>>,
    late: RefCell<Vec<Duration>>,
}

impl Recorder {
    fn name(&self, task: TaskId) -> String {
        self.names
            .borrow()
            .get(&task)
            .cloned()
            .unwrap_or_else(|| task.to_string())
    }

    fn log(&self, line: String) {
        self.events.borrow_mut().push(line);
    }
}

/// Seconds since the epoch, for short lines.
fn secs(at: Instant) -> u64 {
    at.duration_since(Instant::ZERO).as_secs()
}

impl Hooks for Recorder {
    fn spawned(&self, task: TaskId, name: Option<&str>) {
        if let Some(name) = name {
            self.names.borrow_mut().insert(task, name.to_string());
        }
        self.log(format!("spawned {}", self.name(task)));
    }

    fn poll_started(&self, _task: TaskId) {
        // A layer reads time itself, on the runtime's clock: the loop
        // passes no clock reading it would not need otherwise.
        *self.started.borrow_mut() = Some(Instant::now());
    }

    fn poll_ended(&self, task: TaskId, finished: bool) {
        let started = self
            .started
            .borrow_mut()
            .take()
            .expect("a poll ends after it starts");
        let held = Instant::now() - started;
        self.log(format!(
            "{}s polled {}{}",
            secs(started),
            self.name(task),
            if finished { " (done)" } else { "" }
        ));
        if held >= Duration::from_secs(1) {
            *self.stall.borrow_mut() = Some((self.name(task), started, held));
        }
    }

    fn timer_fired(&self, deadline: Instant, now: Instant) {
        if let Some((_, started, held)) = *self.stall.borrow() {
            if deadline < started + held {
                self.late.borrow_mut().push(now - deadline);
            }
        }
    }

    fn dropped_pending(&self, task: TaskId, _name: Option<&str>) {
        self.log(format!("dropped {}", self.name(task)));
    }
}

fn hooked(recorder: &Rc<Recorder>) -> Runtime {
    Runtime::builder()
        .virtual_clock()
        .hooks(recorder.clone())
        .build()
}

#[test]
fn a_layer_hears_each_event_in_order() {
    let recorder = Rc::new(Recorder::default());
    let rt = hooked(&recorder);
    rt.block_on(async {
        let sleeper = minirt::spawn_named("sleeper", minirt::sleep(Duration::from_secs(2)));
        sleeper.await.unwrap();
        drop(minirt::spawn_named("stuck", std::future::pending::<()>()));
    });
    drop(rt);
    assert_eq!(
        *recorder.events.borrow(),
        [
            "spawned sleeper",
            "0s polled task-0",         // main spawns, then awaits the handle
            "0s polled sleeper",        // arms its timer
            "2s polled sleeper (done)", // the timer fired at virtual 2 s
            "spawned stuck",
            "2s polled task-0 (done)", // main returns; "stuck" never ran
            "dropped stuck",           // the runtime is dropped with it pending
        ]
    );
}

#[test]
fn a_stall_layer_names_who_held_the_loop_and_whom_it_made_late() {
    let recorder = Rc::new(Recorder::default());
    let rt = hooked(&recorder);
    rt.block_on(async {
        let sleeper = minirt::spawn(minirt::sleep(Duration::from_secs(1)));
        minirt::spawn_named("hog", async {
            minirt::block_thread_for(Duration::from_secs(3))
        })
        .await
        .unwrap();
        sleeper.await.unwrap();
    });
    let stall = recorder.stall.borrow().clone().expect("a stall was seen");
    assert_eq!(
        (stall.0.as_str(), secs(stall.1), stall.2),
        ("hog", 0, Duration::from_secs(3))
    );
    // The 1 s timer fired at 3 s, when the hog gave the loop back.
    assert_eq!(*recorder.late.borrow(), [Duration::from_secs(2)]);
}

#[test]
fn a_layer_that_watches_no_polls_hears_none() {
    #[derive(Default)]
    struct SpawnsOnly(RefCell<usize>);
    impl Hooks for SpawnsOnly {
        fn watches_polls(&self) -> bool {
            false
        }
        fn spawned(&self, _: TaskId, _: Option<&str>) {
            *self.0.borrow_mut() += 1;
        }
        fn poll_started(&self, _: TaskId) {
            panic!("asked for no polls");
        }
    }
    let layer = Rc::new(SpawnsOnly::default());
    let rt = Runtime::builder()
        .virtual_clock()
        .hooks(layer.clone())
        .build();
    rt.block_on(async { minirt::spawn(async {}).await.unwrap() });
    assert_eq!(*layer.0.borrow(), 1);
}
