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
