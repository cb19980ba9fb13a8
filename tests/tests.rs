//! The integration tests: one binary, one module per area.
//!
//! The modules live in `tests/it/`, named with `#[path]`, because cargo
//! would build every `tests/*.rs` as a binary of its own: one binary links
//! once and runs its tests in parallel.

#[path = "it/bad_input.rs"]
mod bad_input; // Every bad input in README's table: exit 2, one line, no file left.
#[path = "it/bench.rs"]
mod bench; // Suite 7, timer queues: its plan, a tiny run's table, JSON and chart; bad sizes.
#[path = "it/bench_io.rs"]
mod bench_io; // Suites 8 and 9: every echo server answers with no errors; every backend reads files.
#[path = "it/children.rs"]
mod children; // No child process outlives concur: signals, timeouts, SIGKILL.
#[path = "it/cli.rs"]
mod cli; // The command line: bad input is one line and exit code 2; JSON.
#[path = "it/deadlock.rs"]
mod deadlock; // A3: minirt names the wait cycle; smol and tokio are stopped by a watchdog.
#[path = "it/descriptors.rs"]
mod descriptors; // Out of file descriptors: failed rows with the reason, fast; servers refuse or reset, then serve again.
#[path = "it/explore.rs"]
mod explore; // concur explore: A5's lost update counted over every schedule, replayed exactly; none with the lock.
#[path = "it/faults.rs"]
mod faults; // A run that panics, fails or hangs is a FAILED row; Ctrl-C stops cleanly.
#[path = "it/layers.rs"]
mod layers; // The harness's layers point down only: no module imports from one above it.
#[path = "it/load.rs"]
mod load; // Busy cores: the races keep their final values.
#[path = "it/part2.rs"]
mod part2; // Part 2: requests (exact timelines), file reads and connections (checked), real servers.
#[path = "it/procs.rs"]
mod procs; // Finding a test's own processes in /proc, and watching a running concur.
#[path = "it/python.rs"]
mod python; // The article's own programs: stories, the GIL, the watchdog, no orphan, skipped without python3.
#[path = "it/races.rs"]
mod races; // The race's final values: 1, 2, 2, and 1 again on many threads.
#[path = "it/real_clock.rs"]
mod real_clock; // Every scenario on every backend, in real time, with slack.
#[path = "it/stall.rs"]
mod stall; // A poll that holds the loop: who, how long, and which sleeps it made late.
#[path = "it/support.rs"]
mod support; // Running a scenario from a test.
#[path = "it/timeline.rs"]
mod timeline; // Timelines: well-formed SVG with lanes, task bars and the stall; text.
#[path = "it/trace.rs"]
mod trace; // One trace vocabulary: the same events on minirt and smol.
#[path = "it/virtual_clock.rs"]
mod virtual_clock; // Exact timelines on minirt's virtual clock.
