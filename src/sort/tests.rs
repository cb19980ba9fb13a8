//! Tests of the sort's public face: sizes, names, and whole runs.
//!
//! The pieces have their own tests beside them; these check that [`run`]
//! puts them together. The process pool's happy path needs the `concur`
//! binary, which a unit test cannot start (see `pool/tests.rs`), so here it
//! is run only where it must fail.

use super::{run, run_with_worker_exe, validate_size, SizeError, Strategy, MAX_ELEMENTS};
use std::path::Path;

/// Zero, overflowing and oversized sizes are refused; the rest pass.
#[test]
fn sizes_are_validated() {
    assert!(validate_size(1, 1).is_ok());
    assert!(validate_size(1000, 30_000).is_ok());
    assert!(validate_size(1, MAX_ELEMENTS).is_ok());
    for (lists, len) in [
        (0, 10),
        (10, 0),
        (0, 0),
        (1, MAX_ELEMENTS + 1),
        (usize::MAX, 2),
    ] {
        assert_eq!(validate_size(lists, len), Err(SizeError { lists, len }));
    }
    let message = validate_size(0, 30_000).unwrap_err().to_string();
    assert!(
        message.contains("0 × 30000") && message.contains("at least 1"),
        "{message}"
    );
    assert!(!message.contains('\n'), "the CLI prints it as one line");
}

/// Names round-trip; an unknown name lists the accepted ones.
#[test]
fn strategies_parse_by_name() {
    for strategy in Strategy::ALL {
        assert_eq!(strategy.name().parse::<Strategy>(), Ok(strategy));
        assert_eq!(strategy.to_string(), strategy.name());
    }
    let error = "tokio".parse::<Strategy>().unwrap_err();
    assert!(
        error.contains("sync, rayon, threads, minirt, processes"),
        "{error}"
    );
}

/// Every in-process strategy sorts a small input and reports sanely.
#[test]
fn in_process_strategies_run() {
    for strategy in [
        Strategy::Sequential,
        Strategy::Rayon,
        Strategy::ScopedThreads,
        Strategy::Minirt,
    ] {
        let outcome = run(strategy, 20, 2000, 5).unwrap();
        assert_eq!(
            (outcome.strategy, outcome.lists, outcome.len),
            (strategy, 20, 2000)
        );
        assert!(outcome.verified);
        assert_eq!(outcome.bytes_moved, 0);
        assert!(
            outcome.workers >= 1,
            "{strategy}: {} workers",
            outcome.workers
        );
        assert!(outcome.wall > std::time::Duration::ZERO);
    }
}

/// Single-threaded strategies say so; threads never outnumber lists.
#[test]
fn worker_counts() {
    assert_eq!(run(Strategy::Sequential, 3, 10, 1).unwrap().workers, 1);
    assert_eq!(run(Strategy::Minirt, 3, 10, 1).unwrap().workers, 1);
    assert_eq!(run(Strategy::ScopedThreads, 1, 10, 1).unwrap().workers, 1);
}

/// A refused size is a [`SizeError`] the CLI can recognise, before any work.
#[test]
fn run_refuses_bad_sizes() {
    let error = run(Strategy::Sequential, 0, 10, 1).unwrap_err();
    assert_eq!(
        error.downcast_ref::<SizeError>(),
        Some(&SizeError { lists: 0, len: 10 })
    );
}

/// A pool whose workers do not speak the protocol fails with an error.
#[test]
fn processes_with_a_broken_worker_fail_cleanly() {
    let error = run_with_worker_exe(Strategy::Processes, 4, 100, 1, Path::new("true")).unwrap_err();
    assert!(format!("{error:#}").contains("sort worker"), "{error:#}");
}

/// A worker that answers with its input unchanged (`cat`, behind a script
/// that drops the `sort-worker` argument) is caught by the check: the run
/// fails naming an unsorted list. The lists are kept far smaller than a
/// pipe's buffer, since `cat` answers while the parent is still writing
/// and nobody reads until the parent is done.
#[test]
fn an_echoing_worker_is_caught_by_the_check() {
    use std::os::unix::fs::PermissionsExt;
    let script = std::env::temp_dir().join(format!("concur-echo-worker-{}", std::process::id()));
    std::fs::write(&script, "#!/bin/sh\nexec cat\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    // Another test's process start may fork while `script` is still open
    // for writing here, and exec then fails with "text file busy"; that
    // window closes at once, so a second try is enough.
    let mut result = run_with_worker_exe(Strategy::Processes, 4, 100, 1, &script);
    for _ in 0..3 {
        match &result {
            Err(error) if format!("{error:#}").contains("busy") => {
                result = run_with_worker_exe(Strategy::Processes, 4, 100, 1, &script);
            }
            _ => break,
        }
    }
    std::fs::remove_file(&script).unwrap();
    let error = result.unwrap_err();
    assert!(format!("{error:#}").contains("is not sorted"), "{error:#}");
}
