//! `concur bench net` and `concur bench files` (suites 8 and 9, issue 13):
//! tiny real runs, every server and every reader, through the CLI.
//!
//! The echo servers are started by the load generator as `bench-server`
//! processes of this very binary, on loopback; each point is bounded (a
//! second and a fifth of closed loop), so the net run takes about ten
//! seconds.

use super::support::{bench_directory, concur_in, median, recorded};

#[test]
fn bench_net_echoes_on_every_server_with_no_errors() {
    let directory = bench_directory("net");
    let args = [
        "bench", "net", "--n", "2", "--repeat", "1", "--json", "net.json", "--svg", ".",
    ];
    let (code, stdout, stderr) = concur_in(&directory, &args);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("requests_per_s ÷ minirt"), "{stdout}");
    assert!(stdout.contains("note: listen backlog"), "{stdout}");
    let text = std::fs::read_to_string(directory.join("net.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["suite"], "net");
    for backend in ["minirt", "smol", "tokio", "threads", "pool"] {
        assert!(median(&json, backend, "requests_per_s") > 0.0, "{backend}");
        assert!(
            median(&json, backend, "cpu_ns_per_request") > 0.0,
            "{backend}"
        );
        assert_eq!(median(&json, backend, "errors"), 0.0, "{backend}");
        assert_eq!(median(&json, backend, "unanswered"), 0.0, "{backend}");
        let (p50, p99) = (
            median(&json, backend, "p50_us"),
            median(&json, backend, "p99_us"),
        );
        assert!(p50 > 0.0 && p99 >= p50, "{backend}: {p50} {p99}");
    }
    let svg = std::fs::read_to_string(directory.join("net.svg")).expect("a chart");
    assert!(svg.contains("requests_per_s"), "{svg}");
    std::fs::remove_dir_all(directory).expect("cleaned up");
}

#[test]
fn bench_files_reads_on_every_backend() {
    // Another run may hold (or a killed one may have left) a suite
    // directory: only those this run made must be gone after it.
    let before = suite_directories();
    let directory = bench_directory("files");
    let args = [
        "bench",
        "files",
        "--n",
        "4096",
        "--repeat",
        "1",
        "--json",
        "files.json",
    ];
    let (code, stdout, stderr) = concur_in(&directory, &args);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    let text = std::fs::read_to_string(directory.join("files.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    for backend in [
        "sync",
        "threads",
        "pool",
        "minirt",
        "smol",
        "tokio",
        "tokio-chunked",
    ] {
        assert!(median(&json, backend, "us_per_file") > 0.0, "{backend}");
        assert!(median(&json, backend, "mib_per_s") > 0.0, "{backend}");
    }
    // The files went with the run: no directory of the suite's is left.
    let leftovers: Vec<String> = suite_directories()
        .into_iter()
        .filter(|name| !before.contains(name))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_dir_all(directory).expect("cleaned up");
}

/// The names of the files suite's directories in the temporary directory.
fn suite_directories() -> Vec<String> {
    let all = std::fs::read_dir(std::env::temp_dir()).expect("the temporary directory");
    let names = all
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned());
    names
        .filter(|name| name.starts_with("concur-files-suite-"))
        .collect()
}

#[test]
fn the_readme_states_the_recorded_net_ratios() {
    // README quotes minirt ÷ tokio server CPU per request from the two
    // runs recorded after the profile's fixes (docs/BENCHMARKS.md, "Part 2").
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    for (file, connections) in [
        ("bench-net-100-after.json", "100 connections"),
        ("bench-net-1k-after.json", "1,000"),
    ] {
        let cpu = |backend| recorded(file, backend, "cpu_ns_per_request");
        let stated = format!("{:.2}× at {connections}", cpu("minirt") / cpu("tokio"));
        assert!(readme.contains(&stated), "README does not say {stated:?}");
    }
}
