//! `concur explore`: A5 loses its update in some schedules and every
//! schedule is seen; the printed replay command reproduces the losing log
//! exactly, twice; the lock (race-locked) and race-async lose it in none;
//! the deadlock is found; the JSON; FIFO is the timeline `run` shows.
//! Each command explores a few dozen schedules on the virtual clock, in
//! milliseconds.

use super::support::{run, timeline};
use concur::explore;
use concur::scenario;
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

/// Runs `concur` with `args`.
fn concur(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_concur"))
        .args(args)
        .output()
        .expect("concur starts")
}

/// Explores `scenario` with `extra` arguments, writing the JSON; returns
/// it and stdout.
fn explored(scenario: &str, extra: &[&str]) -> (Value, String) {
    let path: PathBuf = std::env::temp_dir().join(format!(
        "concur-explore-{}-{scenario}-{}.json",
        std::process::id(),
        extra.join("_")
    ));
    let path_text = path.to_str().expect("a UTF-8 path").to_string();
    let mut args = vec!["explore", scenario, "--json", &path_text];
    args.extend(extra);
    let output = concur(&args);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(0), "{args:?}: {output:?}");
    let json = std::fs::read_to_string(&path).expect("the JSON was written");
    std::fs::remove_file(&path).expect("cleaned up");
    (serde_json::from_str(&json).expect("valid JSON"), stdout)
}

/// The `concur explore ... --replay LIST` command `stdout` prints last.
fn printed_replay(stdout: &str) -> Vec<String> {
    let line = (stdout.lines())
        .find(|line| line.starts_with("replay the first that fails: "))
        .expect("a replay command");
    let command = line.split(": ").nth(1).expect("the command");
    let words: Vec<String> = command.split_whitespace().map(str::to_string).collect();
    assert_eq!(words[..2], ["concur", "explore"], "{command}");
    words[2..].to_vec()
}

#[test]
fn an_await_between_read_and_write_loses_the_update_in_some_schedules() {
    let (json, stdout) = explored("race-async-await", &[]);
    let (failing, distinct) = (json["failing"].as_u64(), json["distinct"].as_u64());
    let (failing, distinct) = (failing.expect("failing"), distinct.expect("distinct"));
    assert!(failing > 0 && failing < distinct, "{json}");
    assert_eq!(json["exhausted"], true);
    assert_eq!(
        json["schedules"], json["distinct"],
        "depth first: each run new"
    );
    assert_eq!(json["scenario"], "race-async-await");
    let counts = format!(
        "{failing} of {distinct} distinct schedules lose the update (exhausted: every schedule seen)"
    );
    assert!(stdout.contains(&counts), "{stdout}");
    assert!(stdout.contains("Final value is 1") && stdout.contains("Final value is 2"));
    let replay = json["replay"].as_str().expect("a replay command");
    assert!(stdout.contains(replay), "{stdout}");
}

#[test]
fn the_printed_replay_command_reproduces_the_losing_log_exactly() {
    let (json, stdout) = explored("race-async-await", &[]);
    let args = printed_replay(&stdout);
    let args: Vec<&str> = std::iter::once("explore")
        .chain(args.iter().map(String::as_str))
        .collect();
    let (first, second) = (concur(&args), concur(&args));
    assert_eq!(first.stdout, second.stdout, "the same log twice");
    assert_eq!(first.status.code(), Some(1), "a failing schedule exits 1");
    let replayed = String::from_utf8_lossy(&first.stdout);
    let log: Vec<&str> = (json["first_failing"]["log"].as_array())
        .expect("the failing log")
        .iter()
        .map(|line| line.as_str().expect("a line"))
        .collect();
    let lines: Vec<&str> = replayed.lines().skip(1).take(log.len()).collect();
    assert_eq!(lines, log, "the replay logs what the search saw");
    assert!(replayed.contains("Final value is 1"), "{replayed}");
}

#[test]
fn no_schedule_loses_an_update_with_the_lock_or_without_an_await() {
    for scenario in ["race-locked", "race-async"] {
        let (json, stdout) = explored(scenario, &[]);
        assert_eq!(json["failing"], 0, "{scenario}: {json}");
        assert_eq!(json["exhausted"], true, "{scenario}");
        assert!(json["replay"].is_null(), "{scenario}: nothing to replay");
        assert!(json["first_passing"]["log"].is_array(), "{scenario}");
        assert!(stdout.contains("0 of "), "{scenario}: {stdout}");
    }
}

#[test]
fn exploring_the_deadlock_finds_the_orders_that_deadlock() {
    let (json, stdout) = explored("deadlock", &[]);
    assert!(json["failing"].as_u64() > Some(0), "{json}");
    assert_eq!(json["exhausted"], true);
    let why = json["first_failing"]["failure"].as_str().expect("a report");
    assert!(why.contains("wait cycle"), "{why}");
    assert!(stdout.contains("distinct schedules deadlock"), "{stdout}");
}

#[test]
fn random_search_and_the_bound_say_what_they_saw() {
    let (json, stdout) = explored("race-async-await", &["--seeds", "40"]);
    assert_eq!(
        (json["search"].as_str(), json["schedules"].as_u64()),
        (Some("random"), Some(40))
    );
    assert!(json["distinct"].as_u64() <= Some(40));
    assert!(json["failing"].as_u64() > Some(0), "{json}");
    assert_eq!(json["exhausted"], false);
    assert!(json["first_failing"]["seed"].is_u64(), "{json}");
    let (again, _) = explored("race-async-await", &["--seeds", "40"]);
    assert_eq!(json, again, "a seed gives the same schedule every time");
    assert!(stdout.contains("random schedules"), "{stdout}");
    let (cut, stdout) = explored("race-async-await", &["--max", "3"]);
    assert_eq!(
        (cut["schedules"].as_u64(), cut["exhausted"].as_bool()),
        (Some(3), Some(false))
    );
    assert!(stdout.contains("cut off at the bound"), "{stdout}");
}

#[test]
fn a_passing_replay_exits_0() {
    let (json, _) = explored("race-locked", &[]);
    let choices = json["first_passing"]["choices"]
        .as_array()
        .expect("choices");
    let list: Vec<String> = choices.iter().map(|choice| choice.to_string()).collect();
    let output = concur(&["explore", "race-locked", "--replay", &list.join(",")]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("-> passes"));
}

#[test]
fn fifo_is_the_timeline_run_shows() {
    // No choices given: FIFO at every point, as the loop runs without a policy.
    let scenario = scenario::find("race-async-await").expect("A5");
    let fifo = explore::replay(scenario, &[]).expect("a schedule");
    assert!(fifo.choices.iter().all(|&choice| choice == 0));
    assert!(fifo.failure.is_some(), "FIFO loses the update");
    let normal = run("race-async-await", "minirt", Duration::from_secs(1), true);
    assert!(normal.verdict.matches(), "{:?}", normal.verdict.reason);
    let explored: Vec<(f64, String)> = (fifo.lines.iter())
        .map(|line| (line.at.as_secs_f64(), line.message.clone()))
        .collect();
    assert_eq!(explored, timeline(&normal));
}

#[test]
fn the_readme_table_is_what_explore_finds() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    for scenario in ["race-async-await", "race-async", "race-locked", "deadlock"] {
        let (json, _) = explored(scenario, &[]);
        let row = (readme.lines())
            .find(|line| line.starts_with(&format!("| `{scenario}`")))
            .unwrap_or_else(|| panic!("README has no explore row for {scenario}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let number = |cell: &str| {
            cell.split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
        };
        let stated = (number(cells[2]), number(cells[3]), number(cells[4]));
        let found = (
            json["schedules"].as_u64(),
            json["distinct"].as_u64(),
            json["failing"].as_u64(),
        );
        assert_eq!(stated, found, "README's row for {scenario}: {row}");
        assert_eq!(
            cells[5],
            if json["exhausted"] == true {
                "yes"
            } else {
                "no"
            },
            "{row}"
        );
    }
}
