//! Part 2 of the article, the one it promised: HTTP requests to a real
//! server (exact timelines, like part 1's), file reads and held
//! connections (measured, and checked: checksums, every echo back).

use super::support::{backends_of, run, timeline};
use concur::backend::adapter::LocalRuntime;
use concur::backend::minirt::MinirtLoop;
use concur::backend::net;
use concur::model::io::blocking_get;
use std::time::Duration;

/// The article's unit: on the virtual clock it costs nothing.
const UNIT: Duration = Duration::from_secs(1);

/// A run's log as (time in units, rounded to a microsecond, message),
/// sorted: lines of one moment may come in any order.
fn moments(run: &concur::run::Run) -> Vec<(u64, String)> {
    let mut lines: Vec<(u64, String)> = (timeline(run).into_iter())
        .map(|(at, message)| ((at * 1e6).round() as u64, message))
        .collect();
    lines.sort();
    lines
}

#[test]
fn ten_requests_on_virtual_minirt_are_sent_at_0_and_answered_at_1_exactly() {
    let run = run("requests", "minirt", UNIT, true);
    let mut expected = vec![(0, "Main started".to_string())];
    for k in 1..=10 {
        expected.push((0, format!("Request {k} sent"))); // all at once, on one thread
        let bytes = format!("response to /{k}\n").len();
        expected.push((1_000_000, format!("Response {k}: 200, {bytes} bytes")));
        // the handler's 1 unit
    }
    expected.push((1_000_000, "Main Ended".to_string())); // 1 unit, not 10
    expected.sort();
    assert_eq!(moments(&run), expected);
    assert!(run.verdict.matches(), "{:?}", run.verdict.reason);
    assert!(run.wall < Duration::from_millis(500), "waited for real");
}

#[test]
fn requests_take_10_units_in_turn_1_on_threads_2_on_a_pool_of_5_and_1_on_a_loop() {
    let unit = Duration::from_millis(60);
    let backends = backends_of("requests");
    assert_eq!(
        backends,
        ["sync", "threads", "pool", "minirt", "smol", "tokio"]
    );
    for backend in backends {
        let run = run("requests", backend, unit, false);
        let want = match backend {
            "sync" => 10.0,
            "pool" => 2.0,
            _ => 1.0,
        };
        assert_eq!(run.expected_units, Some(want), "{backend}");
        assert!(run.verdict.matches(), "{backend}: {:?}", run.verdict.reason);
        let threads = match backend {
            "threads" => 11, // main and one a request
            "pool" => 6,     // main and five workers
            _ => 1,          // one thread, whether it waits in turn or on a loop
        };
        assert_eq!(run.threads, threads, "{backend}");
    }
}

#[test]
fn a_refused_connection_is_an_error_that_names_it_on_either_client() {
    // Port 1 on loopback: nothing listens there.
    let nowhere = "127.0.0.1:1".parse().unwrap();
    let blocking = blocking_get(nowhere, "/1").unwrap_err();
    assert!(format!("{blocking:#}").contains("refused"), "{blocking:#}");
    let on_loop = MinirtLoop::block_on(|rt| net::http_get(rt, nowhere, "/1".into()));
    let on_loop = on_loop.unwrap().unwrap_err();
    assert!(format!("{on_loop:#}").contains("refused"), "{on_loop:#}");
}

#[test]
fn every_backend_reads_every_file_whole_and_the_async_ones_on_helper_threads() {
    for backend in backends_of("file-reads") {
        let run = run("file-reads", backend, UNIT, false);
        assert_eq!(run.value, Some(8), "{backend}: every checksum matches");
        assert!(run.verdict.matches(), "{backend}: {:?}", run.verdict.reason);
        match backend {
            "sync" => assert_eq!(run.threads, 1),
            "threads" => assert_eq!(run.threads, 8), // a thread a file
            "pool" => assert!((1..=5).contains(&run.threads), "{}", run.threads),
            // The loop, and at least one helper it handed the files to
            // (other tests' threads may run meanwhile: at least, not exactly).
            _ => assert!(run.threads >= 2, "{backend}: {} threads", run.threads),
        }
    }
    // Removed after: no directory of ours is left in the temporary one.
    let ours = format!("concur-file-reads-{}-", std::process::id());
    let left = std::fs::read_dir(std::env::temp_dir()).unwrap().flatten();
    let left: Vec<_> = left
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(&ours))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn every_held_connection_echoes_its_message_on_a_thread_each_or_on_one_loop() {
    for backend in backends_of("connections") {
        let run = run("connections", backend, UNIT, false);
        assert_eq!(run.value, Some(50), "{backend}: every echo came back");
        assert!(run.verdict.matches(), "{backend}: {:?}", run.verdict.reason);
        let note = run.note.clone().unwrap_or_default();
        assert!(
            note.starts_with("50 held, ") && note.ends_with(" each"),
            "{note}"
        );
        match backend {
            "threads" | "pool" => assert_eq!(run.threads, 51), // main and one a connection
            "sync" => assert_eq!(run.threads, 1),
            // One loop thread (other tests' threads may run meanwhile, and
            // smol's reactor has a helper): far fewer than one each.
            _ => assert!(run.threads < 25, "{backend}: {} threads", run.threads),
        }
    }
}

#[test]
fn connections_and_reads_on_the_virtual_clock_still_check_out() {
    for scenario in ["file-reads", "connections"] {
        let run = run(scenario, "minirt", UNIT, true);
        assert!(
            run.verdict.matches(),
            "{scenario}: {:?}",
            run.verdict.reason
        );
    }
}
