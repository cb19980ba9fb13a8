//! Wakes from other threads: spawn_blocking, a raw cross-thread waker, a
//! virtual clock waiting for one, stale wakers, and an idle loop's CPU time.

use minirt::{Instant, Runtime};
use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;

#[test]
fn spawn_blocking_keeps_the_loop_running() {
    let rt = Runtime::new();
    rt.block_on(async {
        let start = std::time::Instant::now();
        let blocking = minirt::spawn_blocking(|| std::thread::sleep(Duration::from_millis(100)));
        let ticker = minirt::spawn(async {
            let mut ticks = 0;
            while ticks < 5 {
                minirt::sleep(Duration::from_millis(5)).await;
                ticks += 1;
            }
            std::time::Instant::now()
        });
        let ticks_done = ticker.await.unwrap();
        blocking.await.unwrap();
        // The ticker finished while the blocking call was still sleeping.
        assert!(ticks_done.duration_since(start) < Duration::from_millis(100));
    });
}

#[test]
fn a_panic_in_spawn_blocking_reaches_the_handle() {
    let outcome = minirt::block_on(async { minirt::spawn_blocking(|| panic!("in helper")).await });
    assert!(outcome.unwrap_err().is_panic());
}

/// A one-shot flag set from another thread, with the waker of whoever waits.
#[derive(Default)]
struct Signal {
    /// (set, waiter)
    state: Mutex<(bool, Option<Waker>)>,
}

impl Signal {
    fn set(&self) {
        let waiter = {
            let mut state = self.state.lock().unwrap();
            state.0 = true;
            state.1.take()
        };
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }

    async fn wait(&self) {
        poll_fn(|cx| {
            let mut state = self.state.lock().unwrap();
            if state.0 {
                return Poll::Ready(());
            }
            state.1 = Some(cx.waker().clone());
            Poll::Pending
        })
        .await;
    }
}

#[test]
fn a_wake_from_another_thread_reaches_a_parked_loop_promptly() {
    let signal = Arc::new(Signal::default());
    let setter = signal.clone();
    let rt = Runtime::new();
    let waited = rt.block_on(async move {
        let start = std::time::Instant::now();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            setter.set();
        });
        // No timer is armed: the loop parks with no deadline until the wake.
        signal.wait().await;
        start.elapsed()
    });
    assert!(waited >= Duration::from_millis(30));
    assert!(
        waited < Duration::from_millis(500),
        "the parked loop woke late: {waited:?}"
    );
}

#[test]
fn a_virtual_clock_waits_for_an_outside_wake_without_moving() {
    let rt = Runtime::with_virtual_clock();
    rt.block_on(async {
        let value = minirt::spawn_blocking(|| {
            std::thread::sleep(Duration::from_millis(20));
            7
        });
        assert_eq!(value.await.unwrap(), 7);
        assert_eq!(
            Instant::now(),
            Instant::ZERO,
            "no timer: virtual time stays put"
        );
    });
}

#[test]
fn stale_wakers_are_harmless_from_any_thread() {
    let rt = Runtime::new();
    let waker = rt.block_on(async {
        let handle = minirt::spawn(poll_fn(|cx| Poll::Ready(cx.waker().clone())));
        handle.await.unwrap()
    });
    // The task is finished: waking it again does nothing, twice, here and elsewhere.
    waker.wake_by_ref();
    waker.wake_by_ref();
    let elsewhere = waker.clone();
    std::thread::spawn(move || elsewhere.wake()).join().unwrap();
    assert_eq!(rt.block_on(async { minirt::task_count() }), 1);
    drop(rt);
    waker.wake(); // and after the runtime is gone
}

/// CPU time (user + system) of this thread, from /proc.
fn thread_cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    // Fields after the command name (which ends with ')'): utime is 14th, stime 15th overall.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}

#[test]
fn an_idle_loop_burns_no_cpu() {
    let rt = Runtime::new();
    let before = thread_cpu_time();
    rt.block_on(async {
        let sleepers = (1..=4).map(|n| minirt::sleep(Duration::from_millis(100 * n)));
        minirt::join_all(sleepers).await;
    });
    let used = thread_cpu_time() - before;
    // 400 ms of waiting; a busy loop would burn all of it.
    assert!(
        used <= Duration::from_millis(60),
        "idle loop used {used:?} of CPU"
    );
}

/// A blocking job that takes `millis` of real time.
fn job(millis: u64) -> minirt::JoinHandle<()> {
    minirt::spawn_blocking(move || std::thread::sleep(Duration::from_millis(millis)))
}

#[test]
fn virtual_time_waits_for_a_blocking_job_instead_of_timing_it_out() {
    let rt = Runtime::with_virtual_clock();
    let result = rt.block_on(async {
        let start = Instant::now();
        let result = minirt::timeout(Duration::from_secs(10), job(50)).await;
        (result.is_ok(), start.elapsed())
    });
    // Time stood still while the job ran; the 10 s never ran out.
    assert_eq!(result, (true, Duration::ZERO));
}

#[test]
fn a_sleep_does_not_fire_before_a_blocking_job_ends() {
    let rt = Runtime::with_virtual_clock();
    let order = rt.block_on(async {
        let order = Rc::new(RefCell::new(Vec::new()));
        let log = order.clone();
        let sleeper = minirt::spawn(async move {
            minirt::sleep(Duration::from_secs(1)).await;
            log.borrow_mut().push("slept 1 s");
        });
        job(30).await.unwrap();
        order.borrow_mut().push("job done");
        sleeper.await.unwrap();
        order.take()
    });
    assert_eq!(order, ["job done", "slept 1 s"]);
}

#[test]
fn a_heartbeat_does_not_race_ahead_while_a_blocking_job_runs() {
    let rt = Runtime::with_virtual_clock();
    let (beats, elapsed) = rt.block_on(async {
        let beats = Rc::new(Cell::new(0u32));
        let counter = beats.clone();
        let heart = minirt::spawn(async move {
            loop {
                minirt::sleep(Duration::from_millis(1)).await;
                counter.set(counter.get() + 1);
            }
        });
        let start = Instant::now();
        job(50).await.unwrap();
        heart.abort();
        (beats.get(), start.elapsed())
    });
    // Before, virtual time ran ahead by hundreds of seconds at full CPU.
    assert_eq!((beats, elapsed), (0, Duration::ZERO));
}

#[test]
fn a_wake_queued_while_the_loop_was_busy_runs_before_time_jumps() {
    let rt = Runtime::with_virtual_clock();
    let woken_at = rt.block_on(async {
        let (send, receive) = futures::channel::oneshot::channel::<()>();
        let waiter = minirt::spawn(async move {
            receive.await.unwrap();
            Instant::now()
        });
        let _sleeper = minirt::spawn(minirt::sleep(Duration::from_secs(60)));
        minirt::yield_now().await; // The waiter is now parked on its channel.
                                   // Sent, and joined, while this task holds the loop: the wake waits
                                   // in the cross-thread queue when the loop next looks at its clock.
        std::thread::spawn(move || send.send(()).unwrap())
            .join()
            .unwrap();
        waiter.await.unwrap()
    });
    assert_eq!(woken_at, Instant::ZERO);
}

#[test]
fn virtual_time_still_jumps_while_a_waker_is_merely_held_elsewhere() {
    let rt = Runtime::with_virtual_clock();
    let elapsed = rt.block_on(async {
        let (_send, receive) = futures::channel::oneshot::channel::<()>();
        let start = Instant::now();
        // The channel holds a waker nobody will use: no reason to wait.
        let _ = minirt::timeout(Duration::from_secs(3), receive).await;
        start.elapsed()
    });
    assert_eq!(elapsed, Duration::from_secs(3));
}
