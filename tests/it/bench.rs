//! `concur bench`, suite 7 (timer queues): its plan, a real run at a tiny
//! size with its table, JSON and chart, and its refusals of bad sizes.
//!
//! The other suites' bad input is in `bad_input.rs`; these runs start real
//! children, so they use the smallest sizes that still measure something.

use super::support::{bench_directory, concur_in};
use concur::bench::Suite;
use std::process::Command;

#[test]
fn bench_queues_plan_is_three_queues_from_1k_to_10m() {
    let suite = Suite::find("queues").expect("suite 7 is known");
    assert!(Suite::ALL.contains(&suite), "bench all runs it");
    let plan = suite.plan();
    let backends: Vec<_> = plan.iter().map(|entry| entry.backend).collect();
    assert_eq!(backends, ["wheel", "heap", "ordered-map"]);
    for entry in &plan {
        assert_eq!(entry.sizes, [1_000, 10_000, 100_000, 1_000_000, 10_000_000]);
    }
    assert_eq!((suite.baseline(), suite.headline()), ("wheel", "total_ns"));
    // 10M runs once however many repeats are asked; the rest as asked.
    assert_eq!(suite.repeats(10_000_000, 5), 1);
    assert_eq!(suite.repeats(1_000_000, 5), 5);
    assert_eq!(Suite::Timers.repeats(10_000_000, 5), 5);
    // End to end: suite 1 runs minirt on the heap and the map at 1M too.
    let timers = Suite::Timers.plan();
    for backend in ["minirt-heap", "minirt-ordered-map"] {
        let entry = timers.iter().find(|entry| entry.backend == backend);
        assert_eq!(entry.map(|entry| &entry.sizes[..]), Some(&[1_000_000][..]));
    }
}

#[test]
fn bench_queues_runs_every_queue_and_writes_json_and_a_chart() {
    let directory = bench_directory("queues");
    let args = [
        "bench", "queues", "--n", "2000", "--repeat", "1", "--json", "q.json", "--svg", ".",
    ];
    let (code, stdout, stderr) = concur_in(&directory, &args);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("total_ns ÷ wheel"), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(directory.join("q.json")).unwrap()).unwrap();
    assert_eq!(json["suite"], "queues");
    let rows = json["results"].as_array().expect("results");
    for backend in ["wheel", "heap", "ordered-map"] {
        for metric in ["insert_ns", "cancel_ns", "fire_ns", "total_ns", "rss_mib"] {
            let row = rows
                .iter()
                .find(|row| row["backend"] == backend && row["metric"] == metric)
                .unwrap_or_else(|| panic!("no {metric} for {backend}: {json}"));
            assert_eq!(row["n"], 2000);
            assert!(row["median"].as_f64().unwrap() > 0.0, "{row}");
        }
    }
    let unit = rows.iter().find(|row| row["metric"] == "fire_ns").unwrap();
    assert_eq!(unit["unit"], "ns");
    let svg = std::fs::read_to_string(directory.join("queues.svg")).expect("a chart");
    // The legend is the only place a backend's name appears.
    for queue in ["wheel", "heap", "ordered-map"] {
        assert!(svg.contains(queue), "no {queue} in the chart: {svg}");
    }
    assert_eq!(svg.matches("<circle").count(), 3, "one point per queue");
    std::fs::remove_dir_all(directory).expect("cleaned up");
}

#[test]
fn bench_queues_refuses_bad_sizes_in_one_line() {
    let directory = bench_directory("refusals");
    for (args, mentions) in [
        ("bench queues --n 0", "'--n <N>': must be at least 1"),
        (
            "bench queues --n 20000000",
            "--n 20000000 is too large for queues (at most 10000000)",
        ),
        ("bench queues --n lots", "'lots' is not a whole number"),
        (
            "bench queues --repeat 0",
            "is not a whole number from 1 to 100",
        ),
    ] {
        let args: Vec<&str> = args.split_whitespace().collect();
        let (code, stdout, stderr) = concur_in(&directory, &args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(mentions), "{args:?}: {stderr}");
    }
    std::fs::remove_dir_all(directory).expect("cleaned up");
}

/// Long enough for `bench timers --n 1000 --repeat 1` (about ten
/// children of a second each) on a loaded machine.
const WITHIN: std::time::Duration = std::time::Duration::from_secs(120);

#[test]
fn ctrl_c_during_bench_keeps_the_runs_that_finished() {
    use super::procs::{signal, Running, Tag};
    let directory = bench_directory("ctrl-c");
    let tag = Tag::new("bench-ctrl-c");
    let mut command = tag.concur(&["bench", "timers", "--n", "1000", "--repeat", "1"]);
    command.args(["--json", "t.json"]).current_dir(&directory);
    let concur = Running::start(command);
    // Each timers child sleeps about a second; once the second one runs,
    // the first (minirt) has finished.
    let first = tag.wait_for(WITHIN, |process| process.runs("bench-child"));
    tag.wait_for(WITHIN, |process| {
        process.runs("bench-child") && process.pid != first.pid
    });
    signal(concur.pid(), "INT");
    let ended = concur.finish(&tag, WITHIN);
    tag.assert_none_left(std::time::Duration::from_secs(2));
    assert_eq!(ended.code, Some(130), "{ended:?}");
    assert!(ended.stderr.contains("interrupted (Ctrl-C)"), "{ended:?}");
    let minirt_row = ended.stdout.lines().find(|line| line.contains("| minirt "));
    assert!(
        minirt_row.is_some(),
        "no minirt row in the table: {ended:?}"
    );
    let files: Vec<_> = std::fs::read_dir(&directory).unwrap().collect();
    assert_eq!(files.len(), 1, "only the JSON: {files:?}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(directory.join("t.json")).unwrap()).unwrap();
    let rows = json["results"].as_array().expect("results");
    assert!(rows.iter().any(|row| row["backend"] == "minirt"), "{json}");
    let notes = json["notes"].to_string();
    assert!(notes.contains("interrupted"), "{json}");
    std::fs::remove_dir_all(directory).expect("cleaned up");
}

#[test]
fn a_bench_child_killed_by_sigkill_fails_the_bench() {
    use super::procs::{signal, Running, Tag};
    let tag = Tag::new("bench-sigkill");
    let args = ["bench", "timers", "--n", "1000", "--repeat", "1"];
    let concur = Running::start(tag.concur(&args));
    let first = tag.wait_for(WITHIN, |process| process.runs("bench-child"));
    signal(first.pid, "KILL");
    let ended = concur.finish(&tag, WITHIN);
    assert_eq!(ended.code, Some(1), "{ended:?}");
    let last = ended.stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: 1 of ") && last.contains("SIGKILL"),
        "{ended:?}"
    );
    // The others still ran and are in the table.
    assert!(ended.stdout.contains("| tokio "), "{ended:?}");
}

/// A tmpfs of 64 KiB mounted on a fresh directory, unmounted on drop; or
/// `None` (and a printed line) where mounting is not permitted.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    /// Mounts it, and fills it to the last byte with one file, `filler`.
    fn full(name: &str) -> Option<SmallDisk> {
        let directory = bench_directory(name);
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(&directory)
            .output();
        if !mounted.is_ok_and(|output| output.status.success()) {
            println!("skipped: cannot mount a tmpfs here (needs root)");
            let _ = std::fs::remove_dir_all(&directory);
            return None;
        }
        let disk = SmallDisk(directory);
        let mut filler = std::fs::File::create(disk.0.join("filler")).expect("a file");
        let block = [0u8; 4096];
        while std::io::Write::write_all(&mut filler, &block).is_ok() {}
        while std::io::Write::write_all(&mut filler, &[0]).is_ok() {}
        Some(disk)
    }

    /// The names in it.
    fn names(&self) -> Vec<String> {
        let entries = std::fs::read_dir(&self.0).expect("readable");
        let names = entries.map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned());
        names.collect()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn bench_on_a_full_disk_leaves_no_temporary_file() {
    let Some(disk) = SmallDisk::full("full-disk") else {
        return;
    };
    let out = disk.0.join("q.json");
    let out = out.to_str().expect("a UTF-8 path");
    let dir = disk.0.to_str().expect("a UTF-8 path");
    // Twice, as a user would retry: nothing is left either time.
    for output in [["--json", out], ["--json", out], ["--svg", dir]] {
        let mut args = vec!["bench", "queues", "--n", "1000", "--repeat", "1"];
        args.extend(output);
        let (code, _stdout, stderr) = concur_in(&disk.0, &args);
        assert_eq!(code, Some(1), "{args:?}: {stderr}");
        let last = stderr.lines().last().unwrap_or_default();
        assert!(
            last.contains("No space left on device"),
            "{args:?}: {stderr}"
        );
        let named = if output[0] == "--json" {
            out.to_string()
        } else {
            format!("{dir}/queues.svg")
        };
        assert!(
            last.starts_with(&format!("error: writing {named}: ")),
            "{args:?}: {stderr}"
        );
        assert_eq!(disk.names(), ["filler"], "{args:?} left a file behind");
    }
}

#[test]
fn the_readme_states_the_recorded_task_ratios() {
    // README's headline table at a million tasks comes from the issue-14
    // run recorded in docs/ (docs/BENCHMARKS.md, "A task in one allocation").
    use super::support::recorded;
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let rows = [
        (
            "spawn + join, per task",
            "bench-spawn-1m.json",
            "ns_per_task",
        ),
        (
            "bytes per pending task (minirt 128 B)",
            "bench-memory-1m.json",
            "bytes_per_pending_task",
        ),
        (
            "bytes per sleeping task (minirt 217 B)",
            "bench-memory-1m.json",
            "bytes_per_sleeping_task",
        ),
        (
            "CPU, 1M tasks sleeping 0..1 s",
            "bench-timers-1m.json",
            "cpu_ms",
        ),
        (
            "ping-pong through a waker, per round trip",
            "bench-pingpong-1m.json",
            "ns_per_round_trip",
        ),
    ];
    for (what, file, metric) in rows {
        let ratio = |peer| recorded(file, "minirt", metric) / recorded(file, peer, metric);
        let stated = format!("| {what} | {:.2} | {:.2} |", ratio("smol"), ratio("tokio"));
        assert!(readme.contains(&stated), "README does not say {stated:?}");
    }
    let bytes = recorded("bench-memory-1m.json", "minirt", "bytes_per_pending_task");
    assert_eq!(bytes.round(), 128.0);
}
