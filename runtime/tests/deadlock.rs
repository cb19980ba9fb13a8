//! Deadlock proof: when nothing can ever happen again the loop says so, and
//! names who holds what; while anything could still wake a task, it waits.

use minirt::sync::Mutex;
use minirt::Runtime;
use std::future::poll_fn;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

/// Runs `future` on a virtual-clock runtime and returns its panic message.
fn panic_message(future: impl std::future::Future<Output = ()>) -> String {
    let rt = Runtime::with_virtual_clock();
    let payload = catch_unwind(AssertUnwindSafe(|| rt.block_on(future))).unwrap_err();
    payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default()
}

/// Takes `first`, sleeps, then takes `second`: the classic opposite-order pair.
async fn take_in_order(first: Rc<Mutex<()>>, second: Rc<Mutex<()>>) {
    let _one = first.lock().await;
    minirt::sleep(Duration::from_secs(1)).await;
    let _two = second.lock().await;
}

#[test]
fn opposite_lock_order_is_reported_with_its_cycle() {
    let m1 = Rc::new(Mutex::named("m1", ()));
    let m2 = Rc::new(Mutex::named("m2", ()));
    let wall = std::time::Instant::now();
    let message = panic_message(async move {
        let a = minirt::spawn_named("A", take_in_order(m1.clone(), m2.clone()));
        let b = minirt::spawn_named("B", take_in_order(m2, m1));
        let _ = (a.await, b.await);
    });
    assert!(message.starts_with("deadlock"), "{message}");
    assert!(
        message.contains(r#"task-1 "A" holds m1 and waits for m2"#),
        "{message}"
    );
    assert!(
        message.contains(r#"task-2 "B" holds m2 and waits for m1"#),
        "{message}"
    );
    assert!(
        message.contains(r#"main waits for task-1 "A" to finish"#),
        "{message}"
    );
    assert!(
        message.contains(r#"wait cycle: task-1 "A" -> m2 -> task-2 "B" -> m1 -> task-1 "A""#),
        "{message}"
    );
    assert!(wall.elapsed() < Duration::from_secs(1));
}

#[test]
fn a_pending_without_a_stored_waker_is_a_lost_wake_up() {
    let message = panic_message(async {
        let forgetful = minirt::spawn_named("forgetful", poll_fn(|_| Poll::<()>::Pending));
        let _ = forgetful.await;
    });
    assert!(
        message.contains(r#"task-1 "forgetful" returned Pending but left its waker nowhere"#),
        "{message}"
    );
}

#[test]
fn an_armed_timer_is_not_a_deadlock() {
    let rt = Runtime::with_virtual_clock();
    let lock = Rc::new(Mutex::named("m", 0));
    rt.block_on(async {
        let holder_lock = lock.clone();
        let holder = minirt::spawn(async move {
            let _guard = holder_lock.lock().await;
            minirt::sleep(Duration::from_secs(5)).await; // a timer is armed: wait for it
        });
        minirt::yield_now().await;
        *lock.lock().await += 1;
        holder.await.unwrap();
    });
}

#[test]
fn a_waker_held_by_another_thread_is_not_a_deadlock() {
    let rt = Runtime::new();
    let value = rt.block_on(async {
        // No timer, nothing ready: only the helper thread can wake us.
        minirt::spawn_blocking(|| {
            std::thread::sleep(Duration::from_millis(30));
            5
        })
        .await
        .unwrap()
    });
    assert_eq!(value, 5);
}

#[test]
fn waiters_get_the_lock_in_turn() {
    let rt = Runtime::with_virtual_clock();
    let order = rt.block_on(async {
        let log = Rc::new(Mutex::named("log", Vec::new()));
        let tasks = (0..4).map(|n| {
            let log = log.clone();
            async move {
                let mut entries = log.lock().await;
                minirt::sleep(Duration::from_millis(10)).await;
                entries.push(n);
            }
        });
        minirt::join_all(tasks).await;
        let entries = log.lock().await.clone();
        entries
    });
    assert_eq!(order, [0, 1, 2, 3]);
}

/// A channel a helper thread answers `millis` of real time later.
fn answered_later(millis: u64) -> futures::channel::oneshot::Receiver<()> {
    let (send, receive) = futures::channel::oneshot::channel();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(millis));
        let _ = send.send(());
    });
    receive
}

#[test]
fn a_lock_tried_once_then_a_wait_on_a_thread_is_not_a_deadlock() {
    use futures::FutureExt;
    let rt = Runtime::new();
    rt.block_on(async {
        let lock = Mutex::named("m", ());
        let _held = lock.lock().await;
        assert!(lock.lock().now_or_never().is_none(), "taken, so not had");
        answered_later(30).await.unwrap();
    });
}

#[test]
fn futures_unordered_children_wakers_are_not_mistaken_for_a_deadlock() {
    use futures::stream::{FuturesUnordered, StreamExt};
    let rt = Runtime::new();
    rt.block_on(async {
        let lock = Rc::new(Mutex::named("m", ()));
        let held = lock.lock().await;
        let reply = answered_later(30);
        let children: FuturesUnordered<futures::future::LocalBoxFuture<'_, ()>> =
            FuturesUnordered::new();
        let waiter = lock.clone();
        children.push(Box::pin(async move {
            // Polled again on its own, after the other child: the lock
            // future is the last thing the task polls before it parks.
            minirt::yield_now().await;
            drop(waiter.lock().await)
        }));
        children.push(Box::pin(async move {
            reply.await.unwrap();
            drop(held);
        }));
        children.collect::<Vec<()>>().await;
    });
}

#[test]
fn a_join_handle_polled_outside_its_runtime_is_not_a_deadlock() {
    use futures::FutureExt;
    let rt = Runtime::new();
    let reply = answered_later(30);
    let mut handle = rt.spawn(async move { reply.await.unwrap() });
    assert!((&mut handle).now_or_never().is_none());
    let other = Runtime::with_virtual_clock();
    other.block_on(async { assert!(futures::poll!(&mut handle).is_pending()) });
    rt.block_on(handle).unwrap();
}

#[test]
fn a_lock_timeout_that_ran_out_is_not_a_deadlock() {
    let rt = Runtime::new();
    rt.block_on(async {
        let lock = Rc::new(Mutex::named("m", ()));
        let _held = lock.lock().await;
        let waiter = lock.clone();
        let task = minirt::spawn(async move {
            let gave_up = minirt::timeout(Duration::from_millis(5), waiter.lock()).await;
            assert!(gave_up.is_err());
            answered_later(30).await.unwrap();
        });
        task.await.unwrap();
    });
}

#[test]
fn three_tasks_in_a_ring_are_named() {
    let locks: Vec<_> = ["m1", "m2", "m3"]
        .into_iter()
        .map(|name| Rc::new(Mutex::named(name, ())))
        .collect();
    let message = panic_message(async move {
        let tasks: Vec<_> = (0..3)
            .map(|n| {
                let (first, second) = (locks[n].clone(), locks[(n + 1) % 3].clone());
                minirt::spawn_named(["A", "B", "C"][n], take_in_order(first, second))
            })
            .collect();
        for task in tasks {
            let _ = task.await;
        }
    });
    assert!(
        message
            .contains(r#"task-1 "A" -> m2 -> task-2 "B" -> m3 -> task-3 "C" -> m1 -> task-1 "A""#),
        "{message}"
    );
}

#[test]
fn a_cycle_through_main_is_named() {
    let message = panic_message(async {
        let lock = Rc::new(Mutex::named("m", ()));
        let _held = lock.lock().await;
        let waiter = lock.clone();
        let task = minirt::spawn_named("W", async move { drop(waiter.lock().await) });
        let _ = task.await;
    });
    assert!(
        message.contains(r#"wait cycle: main -> task-1 "W" -> m -> main"#),
        "{message}"
    );
}

#[test]
fn locking_a_mutex_twice_in_one_task_is_named() {
    let message = panic_message(async {
        let lock = Mutex::named("m", ());
        let _first = lock.lock().await;
        let _second = lock.lock().await;
    });
    assert!(
        message.contains("main holds m and waits for m"),
        "{message}"
    );
    assert!(
        message.contains("wait cycle: main -> m -> main"),
        "{message}"
    );
}

#[test]
fn with_the_proof_off_a_deadlock_hangs_as_elsewhere() {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = Runtime::builder()
            .virtual_clock()
            .prove_deadlocks(false)
            .build();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            rt.block_on(async {
                let lock = Mutex::named("m", ());
                let _first = lock.lock().await;
                let _second = lock.lock().await;
            })
        }));
        let _ = done.send(outcome.is_ok());
    });
    // The thread stays parked for ever; it ends with the test process.
    let waited = finished.recv_timeout(Duration::from_millis(300));
    assert!(waited.is_err(), "the loop returned or panicked: {waited:?}");
}
