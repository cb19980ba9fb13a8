//! No child process outlives `concur`: Ctrl-C (to the process, or to its
//! whole group as a terminal sends it), SIGTERM, an expired `--timeout`,
//! even SIGKILL of `concur` itself, kill and reap every `deadlock-child`
//! and sort worker; after Ctrl-C no other pair starts, and the workers do
//! not complain about the pipes their parent closed.

use super::procs::{signal, signal_group, Ended, Running, Tag};
use std::os::unix::process::CommandExt as _;
use std::time::Duration;

/// Long enough for any of these runs on a loaded machine; they take a
/// second or two.
const WITHIN: Duration = Duration::from_secs(30);

/// A killed child is gone at once; this allows for a slow /proc.
const GRACE: Duration = Duration::from_secs(2);

/// Starts `concur` with `args` under `tag`, waits for its `deadlock-child`,
/// then sends `what` to concur; returns how it ended.
fn signal_during_deadlock(tag: &Tag, args: &[&str], what: &str) -> Ended {
    let concur = Running::start(tag.concur(args));
    tag.wait_for(WITHIN, |process| process.runs("deadlock-child"));
    signal(concur.pid(), what);
    concur.finish(tag, WITHIN)
}

#[test]
fn ctrl_c_during_deadlock_kills_its_child_in_every_command() {
    let commands: [&[&str]; 3] = [
        &[
            "compare", "deadlock", "-b", "smol", "-b", "tokio", "--unit", "1s",
        ],
        &["run", "deadlock", "-b", "tokio", "--unit", "1s"],
        &["timeline", "deadlock", "-b", "smol", "--unit", "1s"],
    ];
    for (number, args) in commands.into_iter().enumerate() {
        let tag = Tag::new(&format!("ctrl-c-deadlock-{number}"));
        let ended = signal_during_deadlock(&tag, args, "INT");
        tag.assert_none_left(GRACE);
        assert_eq!(ended.code, Some(130), "{args:?}: {ended:?}");
    }
}

#[test]
fn sigterm_during_deadlock_kills_its_child() {
    let tag = Tag::new("sigterm-deadlock");
    let args = ["compare", "deadlock", "-b", "smol", "--unit", "1s"];
    let ended = signal_during_deadlock(&tag, &args, "TERM");
    tag.assert_none_left(GRACE);
    // 128 + 15, as a shell reports a job ended by SIGTERM.
    assert_eq!(ended.code, Some(143), "{ended:?}");
    assert!(ended.stderr.contains("interrupted (SIGTERM)"), "{ended:?}");
}

#[test]
fn ctrl_c_to_the_whole_group_stops_cleanly_before_the_next_pair() {
    let tag = Tag::new("group-ctrl-c");
    let args = [
        "compare", "deadlock", "-b", "smol", "-b", "tokio", "--unit", "1s",
    ];
    let mut command = tag.concur(&args);
    // A job of its own, as a shell makes one: a terminal's Ctrl-C goes to
    // every process in the foreground job.
    command.process_group(0);
    let concur = Running::start(command);
    tag.wait_for(WITHIN, |process| process.runs("deadlock-child"));
    signal_group(concur.pid(), "INT");
    let ended = concur.finish(&tag, WITHIN);
    tag.assert_none_left(GRACE);
    assert_eq!(ended.code, Some(130), "{ended:?}");
    assert!(
        !ended.stderr.contains("no deadlock happened"),
        "the child took the Ctrl-C for itself: {ended:?}"
    );
    assert!(
        !ended.stderr.contains("deadlock on tokio"),
        "a pair started after Ctrl-C: {ended:?}"
    );
}

#[test]
fn an_expired_timeout_kills_the_abandoned_child() {
    let tag = Tag::new("timeout-deadlock");
    let args = [
        "compare",
        "deadlock",
        "-b",
        "smol",
        "--unit",
        "1s",
        "--timeout",
        "1s",
    ];
    let concur = Running::start(tag.concur(&args));
    tag.wait_for(WITHIN, |process| process.runs("deadlock-child"));
    let ended = concur.finish(&tag, WITHIN);
    tag.assert_none_left(GRACE);
    assert_eq!(ended.code, Some(1), "{ended:?}");
    assert!(
        ended.stdout.contains("hung: no result after 1s"),
        "{ended:?}"
    );
    // So short that the run is abandoned before or while it starts its
    // child: a child started after that must not be left either.
    for attempt in 0..5 {
        let tag = Tag::new(&format!("short-timeout-deadlock-{attempt}"));
        let args = [
            "compare",
            "deadlock",
            "-b",
            "tokio",
            "--unit",
            "1s",
            "--timeout",
            "1ms",
        ];
        let ended = Running::start(tag.concur(&args)).finish(&tag, WITHIN);
        tag.assert_none_left(GRACE);
        assert_eq!(ended.code, Some(1), "{ended:?}");
    }
}

#[test]
fn a_deadlock_child_ends_when_concur_is_killed_outright() {
    let tag = Tag::new("sigkill-deadlock");
    let args = ["compare", "deadlock", "-b", "smol", "--unit", "1s"];
    let ended = signal_during_deadlock(&tag, &args, "KILL");
    assert_eq!(ended.signal, Some(9), "{ended:?}");
    // Nobody can reap it now but init; running, it must not be.
    tag.assert_none_running(Duration::from_secs(5));
}

#[test]
fn sort_workers_are_killed_quietly_on_ctrl_c() {
    let tag = Tag::new("ctrl-c-sort");
    let args = ["compare", "sort", "-b", "processes", "--lists", "2000"];
    let concur = Running::start(tag.concur(&args));
    tag.wait_for(WITHIN, |process| process.runs("sort-worker"));
    // Let the workers get going: lists in flight both ways.
    std::thread::sleep(Duration::from_millis(200));
    signal(concur.pid(), "INT");
    let ended = concur.finish(&tag, WITHIN);
    tag.assert_none_left(GRACE);
    assert_eq!(ended.code, Some(130), "{ended:?}");
    assert!(!ended.stderr.contains("Broken pipe"), "{}", ended.stderr);
    assert!(!ended.stderr.contains("error"), "{}", ended.stderr);
}
