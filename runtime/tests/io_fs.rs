//! minirt::fs round trips and errors, and spawn_blocking's bounded pool.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[test]
fn files_round_trip_and_a_missing_one_is_not_found() {
    let dir = std::env::temp_dir().join(format!("minirt-io-fs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    minirt::block_on(async {
        let contents: Vec<u8> = (0..1 << 20).map(|i| (i % 253) as u8).collect();
        let paths: Vec<_> = (0..8).map(|n| dir.join(format!("file-{n}"))).collect();
        for path in &paths {
            minirt::fs::write(path, &contents).await.unwrap();
        }
        let reads = paths
            .iter()
            .map(|path| minirt::spawn(minirt::fs::read(path.clone())));
        for read in minirt::join_all(reads).await {
            assert_eq!(read.unwrap().unwrap(), contents);
        }
        let missing = minirt::fs::read(dir.join("missing")).await.unwrap_err();
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
        let refused = minirt::fs::write(dir.join("no/such/dir"), b"x")
            .await
            .unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::NotFound);
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn two_thousand_blocking_jobs_run_on_a_bounded_number_of_threads() {
    const CAP: usize = 8;
    let threads = Arc::new(Mutex::new(HashSet::new()));
    let running = Arc::new(AtomicUsize::new(0));
    let most_at_once = Arc::new(AtomicUsize::new(0));
    let rt = minirt::Runtime::builder().max_blocking_threads(CAP).build();
    let sum = rt.block_on(async {
        let jobs = (0..2000u64).map(|n| {
            let (threads, running, most) = (threads.clone(), running.clone(), most_at_once.clone());
            minirt::spawn_blocking(move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                threads.lock().unwrap().insert(std::thread::current().id());
                if n % 100 == 0 {
                    std::thread::sleep(Duration::from_millis(1));
                }
                running.fetch_sub(1, Ordering::SeqCst);
                n
            })
        });
        minirt::join_all(jobs)
            .await
            .into_iter()
            .map(Result::unwrap)
            .sum::<u64>()
    });
    assert_eq!(sum, 1999 * 2000 / 2);
    let used = threads.lock().unwrap().len();
    assert!(used <= CAP, "{used} threads for a cap of {CAP}");
    assert!(most_at_once.load(Ordering::SeqCst) <= CAP);
    // Reused: far fewer threads than jobs.
    assert!(used >= 1);
}

#[test]
fn a_blocking_job_queued_behind_busy_threads_still_runs_and_panics_reach_the_handle() {
    let rt = minirt::Runtime::builder().max_blocking_threads(1).build();
    rt.block_on(async {
        let slow = minirt::spawn_blocking(|| std::thread::sleep(Duration::from_millis(20)));
        let panics = minirt::spawn_blocking(|| panic!("in the pool"));
        let after = minirt::spawn_blocking(|| 7);
        slow.await.unwrap();
        assert!(panics.await.unwrap_err().is_panic());
        assert_eq!(after.await.unwrap(), 7); // the thread survived the panic
    });
}
