//! Every kind of bad input in README's "Bad input" table, one row each:
//! exit code 2, one line on stderr starting `error: ` that says what is
//! wrong, nothing on stdout, no panic, and no file left behind.
//!
//! Each case runs in an empty directory of its own (output paths in the
//! table are relative), which must still be empty afterwards: a refused
//! command writes neither its JSON nor a temporary or probe file.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::process::Command;

/// The README's table: the arguments, and words the one line must contain.
const CASES: &[(&str, &str)] = &[
    // Names.
    ("frobnicate", "unrecognized subcommand 'frobnicate'"),
    ("run nosuch", "unknown scenario 'nosuch'; accepted: delay, threads,"),
    ("compare gather nosuch", "unknown scenario 'nosuch'"),
    ("run gather -b nosuch", "unknown backend 'nosuch'; accepted: sync,"),
    ("run gather -b threads", "gather needs a single-threaded event loop, which threads does not offer; gather runs on: minirt, smol, tokio"),
    ("run gather -b py-threads", "gather needs a single-threaded event loop, which py-threads does not offer; gather runs on: minirt, smol, tokio, py-asyncio"),
    ("run race-async-multithread -b py-asyncio", "race-async-multithread needs a multi-threaded async executor, which py-asyncio does not offer; race-async-multithread runs on: smol, tokio"),
    ("compare delay -b minirt", "none of these scenarios runs on the backends given"),
    ("run", "the following required arguments were not provided: <SCENARIO>"),
    ("run gather --fast", "unexpected argument '--fast' found"),
    ("list extra", "unexpected argument 'extra' found"),
    // Durations.
    ("run gather --unit fast", "'fast' is not a duration"),
    ("run gather --unit", "a value is required for '--unit <DURATION>'"),
    ("run gather --unit 0s", "unit 0s is out of range; use a whole number of milliseconds from 1ms to 10s"),
    ("run gather --unit -5ms", "'-5ms' is not a duration"),
    ("run gather --unit 1500us", "unit 1500us is out of range"),
    ("run gather --unit 1h", "unit 1h is out of range"),
    ("run gather --stall-threshold 0ms", "stall threshold 0ms is out of range"),
    ("timeline blocking --stall-threshold 1h", "stall threshold 1h is out of range"),
    ("run gather --unit 99999999999999999999s", "number is too large"),
    ("compare --timeout 0s", "timeout 0s is out of range; use a duration from 1ms to 1h"),
    ("compare --timeout 2h", "timeout 2h is out of range"),
    ("compare --timeout soon", "'soon' is not a duration"),
    // Sizes.
    ("run sort --lists 0", "'--lists <N>': must be at least 1"),
    ("run sort --lists -1", "'-1' is not a whole number (at least 1)"),
    ("run sort --len many", "'many' is not a whole number (at least 1)"),
    ("run sort --len 99999999999999999999999", "is not a whole number"),
    ("compare sort --lists 100000 --len 100000", "bad sort size 100000 × 100000"),
    ("run sort --python-lists 0", "'--python-lists <N>': must be at least 1"),
    ("run sort -b py-sync --python-lists many", "'many' is not a whole number (at least 1)"),
    ("compare sort --python-lists 100000", "bad Python sort size 100000 × 30000"),
    ("compare sort -b py-threads --lists 1 --len 100000000", "bad Python sort size 1 × 100000000"),
    ("run requests --requests 0", "'--requests <N>': must be at least 1"),
    ("run requests --requests 1001", "'--requests <N>': 1001 is too many; at most 1000 requests"),
    ("run file-reads --files many", "'many' is not a whole number (at least 1)"),
    ("run file-reads --files 1001", "1001 is too many; at most 1000 files of 1 MiB"),
    ("run connections --connections 0", "'--connections <N>': must be at least 1"),
    ("compare connections --connections 5001 --json out.json", "5001 is too many; at most 5000 connections"),
    ("bench queues --n 0", "'--n <N>': must be at least 1"),
    ("bench queues --n 20000000", "--n 20000000 is too large for queues (at most 10000000)"),
    ("bench nosuch", "unknown suite 'nosuch'; accepted: timers, spawn, pingpong, precision, memory, sort, queues, net, files, all"),
    // Output paths.
    ("compare gather --json missing/out.json", "--json missing/out.json is in a directory that does not exist"),
    ("compare gather --json .", "--json . is not a file name"),
    ("compare gather --json /proc/out.json", "--json /proc/out.json cannot be written"),
    ("compare gather --json", "a value is required for '--json <PATH>'"),
    ("bench queues --n 1000 --repeat 1 --json /proc/out.json", "--json /proc/out.json cannot be written: No such file or directory"),
    ("bench queues --n 1000 --repeat 1 --svg /proc", "--svg /proc/queues.svg cannot be written: No such file or directory"),
    // Conflicting or repeated flags.
    ("compare gather --json a.json --json b.json", "the argument '--json <PATH>' cannot be used multiple times"),
    ("run gather --unit 1s --unit 2s", "the argument '--unit <DURATION>' cannot be used multiple times"),
    ("run gather --lists 5", "--lists and --len size the sort, which is not among the scenarios to run"),
    ("compare gather tasks --len 10 --json out.json", "--lists and --len size the sort"),
    ("run gather --virtual -b smol", "--virtual puts minirt on its virtual clock, but minirt is not among the backends to run (smol)"),
    ("compare delay --virtual --json out.json", "minirt is not among the backends to run (py-sync, sync)"),
    ("run deadlock --virtual -b py-asyncio", "minirt is not among the backends to run (py-asyncio)"),
    ("run gather --requests 5", "--requests sizes requests, which is not among the scenarios to run"),
    ("compare requests --files 5 --json out.json", "--files sizes file-reads, which is not among the scenarios to run"),
    ("run requests --connections 5", "--connections sizes connections, which is not among the scenarios to run"),
    ("run requests -b py-threads", "requests needs network and file I/O, which py-threads does not offer; requests runs on: sync, threads, pool, minirt, smol, tokio"),
    ("run gather --python-lists 5", "--python-lists sizes the Python sort, which is not among the scenarios to run"),
    ("compare sort -b sync -b rayon --python-lists 5 --json out.json", "--python-lists sizes the Python sort, but no Python backend is among the sort's backends to run (sync, rayon)"),
    // The hidden commands concur runs itself, given what it never passes.
    ("deadlock-child minirt 10", "invalid value 'minirt' for '<BACKEND>': deadlock-child runs A3 on a backend that cannot see a deadlock; accepted: smol, tokio"),
    ("deadlock-child nosuch 10", "accepted: smol, tokio"),
    ("deadlock-child smol 0", "invalid value '0' for '<UNIT_MS>': a unit of 0 ms is out of range; use a whole number of milliseconds from 1 to 10000"),
    ("bench-child timers minirt 4294967297", "bench-child: n 4294967297 is too large for timers on minirt (at most 10000000)"),
    ("bench-child timers threads 200000", "n 200000 is too large for timers on threads (at most 100000)"),
    ("bench-child timers minirt 0", "invalid value '0' for '<N>': must be at least 1"),
    ("bench-child timers nosuch 10", "bench-child: suite timers has no backend 'nosuch'; accepted: minirt, smol, tokio"),
    ("bench-child timers py-asyncio 10", "suite timers has no backend 'py-asyncio'"),
    ("bench-server nosuch", "invalid value 'nosuch' for '<BACKEND>': unknown server 'nosuch'; accepted: minirt, smol, tokio, threads, pool"),
    ("bench-server minirt --cpu x", "invalid value 'x' for '--cpu <CPU>'"),
    ("bench-child net nosuch 10", "bench-child: suite net has no backend 'nosuch'; accepted: minirt, smol, tokio, threads, pool"),
    ("bench-child files sync 100000000", "bench-child: n 100000000 is too large for files on sync (at most 67108864)"),
    ("bench files --n 100000000", "--n 100000000 is too large for files (at most 67108864)"),
    ("bench net --n 60000", "--n 60000 is too large for net (at most 50000)"),
    ("bench-child nosuch minirt 10", "invalid value 'nosuch' for '<SUITE>': unknown suite 'nosuch'; accepted: timers, spawn"),
    // Exploring schedules.
    ("explore nosuch", "unknown scenario 'nosuch'; explore accepts: race-locked, race-async, race-async-await, deadlock"),
    ("explore gather --json out.json", "gather cannot be explored (only a program on one event loop with a check of its own can); explore accepts: race-locked,"),
    ("explore race-async-await --seeds 0 --json out.json", "invalid value '0' for '--seeds <N>': must be at least 1"),
    ("explore race-async-await --max 2000000", "2000000 is too many (at most 1000000)"),
    ("explore race-async-await --replay 0,x --json out.json", "'0,x' is not a schedule; give the choices explore printed, whole numbers from 0 separated by commas, like 0,1,1"),
    ("explore race-async-await --seeds 3 --replay 0", "the argument '--seeds <N>' cannot be used with '--replay <LIST>'"),
    ("explore race-async-await --replay 0,5 --json out.json", "--replay: choice 5 at point 2 is no schedule of race-async-await: 2 tasks were ready there (choices 0 to 1)"),
    ("explore race-async-await --replay 0,0,0,0,0,0,0,0,0", "--replay: 9 choices, but a run of race-async-await with them has only 5 choice points"),
    ("explore race-async-await --json /proc/out.json", "--json /proc/out.json cannot be written"),
    // Bad input that passed the parser must still stop before any write.
    ("compare nosuch --json out.json", "unknown scenario 'nosuch'"),
    ("compare sort --lists 0 --json out.json", "must be at least 1"),
];

/// A fresh, empty directory for one case.
fn empty_directory(number: usize) -> PathBuf {
    let name = format!("concur-bad-input-{}-{number}", std::process::id());
    let path = std::env::temp_dir().join(name);
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).expect("a temporary directory");
    path
}

/// Runs `concur` with `args` in `directory`, and checks the refusal.
fn assert_refused<S: AsRef<OsStr>>(directory: &PathBuf, args: &[S], mentions: &str) {
    let shown: Vec<_> = args
        .iter()
        .map(|arg| arg.as_ref().to_string_lossy())
        .collect();
    let output = Command::new(env!("CARGO_BIN_EXE_concur"))
        .args(args)
        .current_dir(directory)
        .output()
        .expect("concur starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{shown:?}: {stderr}");
    assert!(output.stdout.is_empty(), "{shown:?} printed to stdout");
    assert_eq!(
        stderr.lines().count(),
        1,
        "{shown:?}: not one line: {stderr}"
    );
    assert!(stderr.starts_with("error: "), "{shown:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{shown:?}: {stderr}");
    assert!(
        stderr.contains(mentions),
        "{shown:?}: no '{mentions}' in {stderr}"
    );
    let left: Vec<_> = std::fs::read_dir(directory).expect("readable").collect();
    assert!(left.is_empty(), "{shown:?} left files behind: {left:?}");
}

#[test]
fn every_bad_input_in_the_readme_is_refused_in_one_line() {
    for (number, (args, mentions)) in CASES.iter().enumerate() {
        let directory = empty_directory(number);
        let args: Vec<&str> = args.split_whitespace().collect();
        assert_refused(&directory, &args, mentions);
        std::fs::remove_dir_all(directory).expect("cleaned up");
    }
}

#[test]
fn an_unwritable_directory_is_refused_before_anything_runs() {
    let directory = empty_directory(CASES.len());
    let read_only = directory.join("read-only");
    std::fs::create_dir(&read_only).expect("a directory");
    let mut permissions = std::fs::metadata(&read_only)
        .expect("metadata")
        .permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&read_only, permissions).expect("made read-only");
    // Root may write anywhere, so the probe decides, not the permission bits.
    let probe = read_only.join("probe");
    if std::fs::write(&probe, "").is_ok() {
        std::fs::remove_file(&probe).expect("cleaned up");
    } else {
        let args = ["compare", "gather", "--json", "read-only/out.json"];
        let output = Command::new(env!("CARGO_BIN_EXE_concur"))
            .args(args)
            .current_dir(&directory)
            .output()
            .expect("concur starts");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("cannot be written: Permission denied"),
            "{stderr}"
        );
    }
    let mut permissions = std::fs::metadata(&read_only)
        .expect("metadata")
        .permissions();
    #[allow(clippy::permissions_set_readonly_false)] // Only to remove our own directory.
    permissions.set_readonly(false);
    std::fs::set_permissions(&read_only, permissions).expect("made writable");
    std::fs::remove_dir_all(directory).expect("cleaned up");
}

#[test]
fn an_argument_that_is_not_utf8_is_refused() {
    let directory = empty_directory(CASES.len() + 1);
    let args = [OsStr::new("run"), OsStr::from_bytes(b"\xff")];
    assert_refused(&directory, &args, "invalid UTF-8");
    std::fs::remove_dir_all(directory).expect("cleaned up");
}

/// A file name longer than any file system takes (255 bytes on Linux).
fn too_long() -> String {
    format!("{}.json", "a".repeat(300))
}

#[test]
fn every_output_path_is_checked_before_anything_runs() {
    let long = too_long();
    let cases: [(&[&str], &str); 4] = [
        (&["compare", "gather", "--unit", "1ms", "--json"], "--json"),
        (&["run", "gather", "--unit", "1ms", "--trace"], "--trace"),
        (&["timeline", "gather", "--unit", "1ms", "--svg"], "--svg"),
        (
            &["bench", "queues", "--n", "1000", "--repeat", "1", "--json"],
            "--json",
        ),
    ];
    for (number, (args, flag)) in cases.into_iter().enumerate() {
        let directory = empty_directory(CASES.len() + 10 + number);
        let mut args = args.to_vec();
        args.push(&long);
        let line = format!("{flag} {long} cannot be written: File name too long");
        assert_refused(&directory, &args, &line);
        std::fs::remove_dir_all(directory).expect("cleaned up");
    }
}

/// Makes a named pipe and (where permitted) a character device like
/// `/dev/null` in `directory`; returns their names.
fn special_files(directory: &std::path::Path) -> Vec<&'static str> {
    let fifo = Command::new("mkfifo")
        .arg("fifo")
        .current_dir(directory)
        .status();
    assert!(fifo.expect("mkfifo runs").success(), "a named pipe");
    let device = Command::new("mknod")
        .args(["null", "c", "1", "3"])
        .current_dir(directory)
        .output();
    if device.is_ok_and(|output| output.status.success()) {
        vec!["fifo", "null"]
    } else {
        println!("skipped the device: mknod is not permitted here (needs root)");
        vec!["fifo"]
    }
}

#[test]
fn an_output_path_that_is_not_a_regular_file_is_refused_and_kept() {
    use std::os::unix::fs::FileTypeExt as _;
    let directory = empty_directory(CASES.len() + 20);
    let commands: [&[&str]; 4] = [
        &[
            "compare", "gather", "-b", "minirt", "--unit", "1ms", "--json",
        ],
        &["run", "gather", "-b", "minirt", "--unit", "1ms", "--trace"],
        &[
            "timeline", "gather", "-b", "minirt", "--unit", "1ms", "--svg",
        ],
        &["bench", "queues", "--n", "1000", "--repeat", "1", "--json"],
    ];
    let names = special_files(&directory);
    for name in &names {
        for args in commands {
            let mut args = args.to_vec();
            args.push(name);
            let flag = args[args.len() - 2];
            let output = Command::new(env!("CARGO_BIN_EXE_concur"))
                .args(&args)
                .current_dir(&directory)
                .output()
                .expect("concur starts");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
            let line = format!("error: {flag} {name} is not a regular file");
            assert!(stderr.starts_with(&line), "{args:?}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
            let kind = std::fs::symlink_metadata(directory.join(name)).expect("still there");
            let kept = kind.file_type().is_fifo() || kind.file_type().is_char_device();
            assert!(kept, "{args:?} replaced {name}");
        }
    }
    let mut left: Vec<String> = std::fs::read_dir(&directory)
        .expect("readable")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, names, "something else was left behind");
    std::fs::remove_dir_all(directory).expect("cleaned up");
}

#[test]
fn an_open_file_limit_too_low_to_start_is_refused_in_one_line() {
    // Below it smol's reactor would panic as the signal listener starts;
    // concur refuses first, and says what to raise. `bash` sets the limit.
    let directory = empty_directory(CASES.len() + 40);
    let concur = env!("CARGO_BIN_EXE_concur");
    let script = format!("ulimit -n 8 && exec {concur} compare gather --json out.json");
    let output = Command::new("bash")
        .args(["-c", &script])
        .current_dir(&directory)
        .output()
        .expect("bash starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let expected = "error: the open-file limit is 8; concur needs at least 12";
    assert!(stderr.starts_with(expected), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(&directory).expect("readable").collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
    std::fs::remove_dir_all(directory).expect("cleaned up");
}
