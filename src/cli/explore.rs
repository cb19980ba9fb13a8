//! `concur explore`: how many schedules of a scenario lose the update (or
//! deadlock), the first losing one's log beside a winning one's, and the
//! command that replays it. The search itself is in `explore.rs`.
//!
//! Exit codes: a search exits 0 whatever it finds (its counts are the
//! result); `--replay` exits 1 when the schedule it runs fails, as a test
//! re-run does, and 0 when it passes; bad input exits 2, before anything
//! runs or is written.

use super::args::{parse_count, UsageError};
use super::commands::check_output_path;
use crate::explore::{self, Exploration, Schedule, Search};
use crate::output::console::{progress, say};
use crate::scenario::{self, Scenario};
use clap::Args;
use std::path::PathBuf;

/// The most schedules `--max` or `--seeds` may ask for.
const MOST: usize = 1_000_000;

/// `concur explore`.
#[derive(Debug, Args)]
pub(super) struct ExploreArgs {
    /// The scenario: race-async-await, race-async, race-locked or deadlock.
    #[arg(value_parser = parse_explorable)]
    scenario: &'static dyn Scenario,
    /// Run at most N schedules, depth first [default: 10000].
    #[arg(long, value_name = "N", value_parser = parse_bound, allow_hyphen_values = true)]
    max: Option<usize>,
    /// Run N random schedules (seeds 0 to N-1) instead of every one.
    #[arg(long, value_name = "N", value_parser = parse_bound, allow_hyphen_values = true, conflicts_with_all = ["max", "replay"])]
    seeds: Option<usize>,
    /// Run one schedule, the choices `explore` printed (e.g. 0,1,1), and
    /// print its log; exit 1 if it fails.
    #[arg(long, value_name = "LIST", value_parser = parse_choices, allow_hyphen_values = true, conflicts_with = "max")]
    replay: Option<Choices>,
    /// Also write the counts and the replay command as JSON to this file.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
}

/// A schedule as typed after `--replay`: a choice per choice point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Choices(Vec<usize>);

/// Parses an explorable scenario's name.
///
/// # Errors
///
/// An unknown name, or one that cannot be explored; the message lists the
/// ones that can.
fn parse_explorable(name: &str) -> Result<&'static dyn Scenario, String> {
    let accepted = explore::names().join(", ");
    match scenario::find(name) {
        Some(scenario) if scenario.explored().is_some() => Ok(scenario),
        Some(_) => Err(format!(
            "{name} cannot be explored (only a program on one event loop with a check of its \
             own can); explore accepts: {accepted}"
        )),
        None => Err(format!(
            "unknown scenario '{name}'; explore accepts: {accepted}"
        )),
    }
}

/// Parses `--max` or `--seeds`: 1 to a million.
///
/// # Errors
///
/// Not a number, zero, or more than a million.
fn parse_bound(text: &str) -> Result<usize, String> {
    match parse_count(text)? {
        count if count > MOST => Err(format!("{count} is too many (at most {MOST})")),
        count => Ok(count),
    }
}

/// Parses a schedule: choices separated by commas, as `explore` prints
/// them; empty for a run with no choice to make.
///
/// # Errors
///
/// Anything but whole numbers (0 or more) between commas.
fn parse_choices(text: &str) -> Result<Choices, String> {
    if text.trim().is_empty() {
        return Ok(Choices(Vec::new()));
    }
    let choices: Result<Vec<usize>, _> = text.split(',').map(|c| c.trim().parse()).collect();
    choices.map(Choices).map_err(|_| {
        format!(
            "'{text}' is not a schedule; give the choices explore printed, whole numbers \
             from 0 separated by commas, like 0,1,1"
        )
    })
}

/// Runs `concur explore`.
pub(super) fn explore(args: &ExploreArgs) -> anyhow::Result<()> {
    if let Some(path) = &args.json {
        check_output_path("--json", path)?;
    }
    let scenario = args.scenario;
    let name = scenario.meta().name;
    if let Some(Choices(choices)) = &args.replay {
        let schedule =
            explore::replay(scenario, choices).map_err(|error| UsageError(error.to_string()))?;
        return replayed(args, &schedule);
    }
    let how = match args.seeds {
        Some(seeds) => Search::Random {
            seeds: seeds as u64,
        },
        None => Search::Exhaustive {
            max: args.max.unwrap_or(explore::DEFAULT_MAX),
        },
    };
    let found = explore::explore(scenario, how)?;
    say(summary(&found))?;
    say(side_by_side(&found))?;
    let replay = found
        .first_failing
        .as_ref()
        .map(|schedule| explore::replay_command(name, &schedule.choices));
    match &replay {
        Some(command) => say(format!("\nreplay the first that fails: {command}"))?,
        None => {
            if let Some(passing) = &found.first_passing {
                let command = explore::replay_command(name, &passing.choices);
                say(format!("\nnone fails; replay one: {command}"))?;
            }
        }
    }
    if let Some(path) = &args.json {
        let search = match how {
            Search::Exhaustive { max } => ("exhaustive", Some(max)),
            Search::Random { seeds } => ("random", Some(seeds as usize)),
        };
        write_json(path, &found, search, replay.as_ref())?;
    }
    Ok(())
}

/// `--replay`: the schedule's log and verdict, the JSON if asked, and
/// exit 1 if it failed.
fn replayed(args: &ExploreArgs, schedule: &Schedule) -> anyhow::Result<()> {
    let name = args.scenario.meta().name;
    let mut text = format!(
        "{name}, schedule {} on minirt's virtual clock:\n",
        choice_list(&schedule.choices)
    );
    for line in &schedule.lines {
        text += &format!("{}\n", format_line(line));
    }
    text += &format!("-> {}", verdict(schedule));
    say(text)?;
    if let Some(path) = &args.json {
        let failing = schedule.failure.is_some();
        let found = Exploration {
            scenario: name,
            search: Search::Exhaustive { max: 1 },
            schedules: 1,
            distinct: 1,
            failing: usize::from(failing),
            exhausted: false,
            first_failing: failing.then(|| schedule.clone()),
            first_passing: (!failing).then(|| schedule.clone()),
        };
        let command = explore::replay_command(name, &schedule.choices);
        write_json(path, &found, ("replay", None), failing.then_some(&command))?;
    }
    match &schedule.failure {
        Some(failure) => anyhow::bail!("{name}: this schedule fails: {failure}"),
        None => Ok(()),
    }
}

/// The first lines: what was searched, and how many failed.
fn summary(found: &Exploration) -> String {
    let fail = explore::failing_means(found.scenario);
    let (failing, distinct) = (found.failing, found.distinct);
    let head = format!("{}, explored on minirt's virtual clock:", found.scenario);
    let counts = match found.search {
        Search::Exhaustive { max } => {
            let seen = if found.exhausted {
                "exhausted: every schedule seen".to_string()
            } else {
                format!("cut off at the bound, --max {max}: not every schedule seen")
            };
            format!("{failing} of {distinct} distinct schedules {fail} ({seen}).")
        }
        Search::Random { seeds } => format!(
            "{failing} of {} random schedules ({distinct} distinct) {fail} (seeds 0 to {}; a \
             random search never knows it saw every schedule).",
            found.schedules,
            seeds - 1
        ),
    };
    format!("{head}\n{counts}\n")
}

/// The first failing schedule's log beside the first passing one's (or
/// whichever of them there is).
fn side_by_side(found: &Exploration) -> String {
    let columns: Vec<(String, &Schedule)> = [
        (found.first_failing.as_ref(), "the first that fails"),
        (found.first_passing.as_ref(), "the first that passes"),
    ]
    .into_iter()
    .filter_map(|(schedule, title)| {
        schedule.map(|s| (format!("{title}, {}", choice_list(&s.choices)), s))
    })
    .collect();
    let column = |index: usize| -> Vec<String> {
        let (title, schedule) = &columns[index];
        let mut lines = vec![title.clone()];
        lines.extend(schedule.lines.iter().map(format_line));
        lines.push(format!("-> {}", verdict(schedule)));
        lines
    };
    let left = column(0);
    if columns.len() == 1 {
        return left.join("\n");
    }
    let right = column(1);
    let width = left
        .iter()
        .map(|line| line.chars().count())
        .max()
        .unwrap_or(0);
    let rows = left.len().max(right.len());
    let cell = |lines: &[String], row: usize| lines.get(row).cloned().unwrap_or_default();
    let text: Vec<String> = (0..rows)
        .map(|row| {
            let line = format!("{:<width$} | {}", cell(&left, row), cell(&right, row));
            line.trim_end().to_string()
        })
        .collect();
    text.join("\n")
}

/// A log line as the article prints it with a short unit, the task in
/// place of the thread (every task runs on `MainThread`): `1.050s:A:...`.
fn format_line(line: &explore::Line) -> String {
    format!(
        "{:.3}s:{}:{}",
        line.at.as_secs_f64(),
        line.task,
        line.message
    )
}

/// How a schedule ended, in a few words.
fn verdict(schedule: &Schedule) -> String {
    match &schedule.failure {
        Some(failure) => format!("FAILS: {}", first_line(failure)),
        None => "passes".to_string(),
    }
}

/// The first line of a (deadlock) report: the rest is printed by `--replay`.
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// `[0,1,1]` as `0,1,1`; `(no choices)` when empty.
fn choice_list(choices: &[usize]) -> String {
    if choices.is_empty() {
        return "(no choices)".to_string();
    }
    let list: Vec<String> = choices.iter().map(usize::to_string).collect();
    list.join(",")
}

/// Writes the JSON report of `found` to `path`, atomically: `search` is
/// how the schedules were chosen (`exhaustive`, `random`, `replay`) with its
/// bound, `replay` the command that runs the first failing one again.
fn write_json(
    path: &std::path::Path,
    found: &Exploration,
    search: (&str, Option<usize>),
    replay: Option<&String>,
) -> anyhow::Result<()> {
    let schedule = |schedule: &Option<Schedule>| {
        schedule.as_ref().map(|schedule| {
            serde_json::json!({
                "choices": schedule.choices,
                "seed": schedule.seed,
                "failure": schedule.failure,
                "log": schedule.lines.iter().map(format_line).collect::<Vec<_>>(),
            })
        })
    };
    let report = serde_json::json!({
        "scenario": found.scenario,
        "search": search.0,
        "bound": search.1,
        "unit_ms": explore::UNIT.as_millis() as u64,
        "schedules": found.schedules,
        "distinct": found.distinct,
        "failing": found.failing,
        "exhausted": found.exhausted,
        "replay": replay,
        "first_failing": schedule(&found.first_failing),
        "first_passing": schedule(&found.first_passing),
    });
    let mut text = serde_json::to_string_pretty(&report)?;
    text.push('\n');
    crate::output::write(path, text.as_bytes())?;
    progress(format_args!("wrote {}\n", path.display()));
    Ok(())
}
