//! Panics: caught per task, reported on the handle; the block_on future's
//! own panic reaches the caller.

use minirt::Runtime;
use std::time::Duration;

#[test]
fn a_panicking_task_fails_alone() {
    let rt = Runtime::with_virtual_clock();
    rt.block_on(async {
        let bad = minirt::spawn(async { panic!("boom") });
        let good = minirt::spawn(async {
            minirt::sleep(Duration::from_secs(1)).await;
            "still here"
        });
        let error = bad.await.unwrap_err();
        assert!(error.is_panic());
        assert_eq!(error.to_string(), "task panicked: boom");
        assert_eq!(good.await.unwrap(), "still here");
    });
}

#[test]
fn a_panic_after_an_await_is_caught_too() {
    let rt = Runtime::with_virtual_clock();
    let outcome = rt.block_on(async {
        minirt::spawn(async {
            minirt::sleep(Duration::from_millis(5)).await;
            let what = String::from("boom"); // a formatted message: a String payload
            panic!("late {what}");
        })
        .await
    });
    let payload = outcome.unwrap_err().into_panic().unwrap();
    assert_eq!(payload.downcast_ref::<String>().unwrap(), "late boom");
}

#[test]
fn the_block_on_future_panics_through_and_the_runtime_stays_usable() {
    let rt = Runtime::with_virtual_clock();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { panic!("main failed") });
    }));
    assert!(caught.is_err());
    assert_eq!(rt.block_on(async { minirt::task_count() }), 1);
}

#[test]
fn join_all_reraises_a_child_panic() {
    let caught = std::panic::catch_unwind(|| {
        let child = |n: u32| async move {
            assert!(n != 2, "child");
            n
        };
        minirt::block_on(async { minirt::join_all([child(1), child(2)]).await });
    });
    let payload = caught.unwrap_err();
    assert_eq!(*payload.downcast_ref::<&str>().unwrap(), "child");
}
