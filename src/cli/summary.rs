//! Plain words about runs: the one-line summary after `concur run`, and the
//! closing paragraphs of the main job, built from what was measured.

use crate::backend::python;
use crate::check::Judgement;
use crate::report::{self, table::duration};
use crate::run::Run;

/// One line about one run: its total, times, threads, value and verdict.
pub fn one_run(run: &Run, runs: &[Run]) -> String {
    let mut parts = Vec::new();
    if let Some(expected) = run.expected_units {
        let measured = run.measured_units;
        parts.push(format!("{measured:.2} units (article: {expected:.2})"));
    }
    parts.push(format!("wall {}", duration(run.wall)));
    parts.push(format!("CPU {}", duration(run.cpu)));
    let plural = if run.threads == 1 { "" } else { "s" };
    parts.push(format!("{} thread{plural}", run.threads));
    if let Some(value) = run.value {
        parts.push(format!("final value {value}"));
    }
    let note = report::note(run, runs);
    if run.verdict.matches() && !note.is_empty() {
        parts.push(note);
    }
    let reason = run.verdict.reason.as_deref().unwrap_or("?");
    let verdict = match run.verdict.judgement {
        Judgement::Matches if run.scenario == "sort" => "every list sorted".to_string(),
        Judgement::Matches => "matches the article".to_string(),
        Judgement::DoesNotMatch => format!("does NOT match the article: {reason}"),
        Judgement::TooNoisy => format!("cannot be judged: {reason}"),
    };
    format!("{}: {verdict}", parts.join(", "))
}

/// The main job's closing paragraphs: what the table shows, in numbers.
pub fn main_job(runs: &[Run]) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let matching = runs.iter().filter(|run| run.verdict.matches()).count();
    let mut verdict = format!("{matching} of {} runs match the article.", runs.len());
    for run in runs.iter().filter(|run| !run.verdict.matches()) {
        let reason = run.verdict.reason.as_deref().unwrap_or("?");
        verdict.push_str(&format!(" {} on {}: {reason}.", run.scenario, run.backend));
    }
    paragraphs.push(verdict);
    if let (Some(delay), Some(overlapped)) = (
        units(runs, &["delay"]),
        units(runs, &["threads", "pool", "tasks"]),
    ) {
        paragraphs.push(format!(
            "Waiting: one thread doing one thing after another took {delay} units; threads, \
             a pool and tasks on one event loop overlapped the same waits in {overlapped}."
        ));
    }
    if let (Some(stalled), Some(fixed)) =
        (units(runs, &["blocking"]), units(runs, &["blocking-fixed"]))
    {
        paragraphs.push(format!(
            "A blocking call inside a task stalled every event loop: {stalled} units instead \
             of 5. Handed to a helper thread (spawn_blocking), it took {fixed}."
        ));
    }
    let race = [
        "race",
        "race-locked",
        "race-async",
        "race-async-multithread",
    ]
    .map(|name| values(runs, name));
    if let [Some(unlocked), Some(locked), Some(one_thread), Some(many_threads)] = race {
        let mut text = format!(
            "Races: two threads that read, compute and write without a lock lost an update \
             (final value {unlocked}); with a lock, {locked}. Two tasks on one event loop got \
             {one_thread} with no lock, and the very same code on a multi-threaded executor \
             got {many_threads}: the safety comes from one thread, not from async."
        );
        if let Some(awaited) = values(runs, "race-async-await") {
            text += &format!(
                " On one loop with an await between the read and the write, {awaited}: the \
                 other task reads meanwhile (`concur explore race-async-await` counts the \
                 schedules that lose it)."
            );
        }
        paragraphs.push(text);
    }
    if let Some(sort) = sort_paragraph(runs) {
        paragraphs.push(sort);
    }
    if let Some(gil) = gil_paragraph(runs) {
        paragraphs.push(gil);
    }
    if let Some(io) = io_paragraph(runs) {
        paragraphs.push(io);
    }
    paragraphs
}

/// Part 2 in plain words: requests, file reads, held connections.
fn io_paragraph(runs: &[Run]) -> Option<String> {
    let on = |scenario: &str, backends: &[&str]| {
        let found = runs.iter().filter(|run| run.scenario == scenario);
        found
            .filter(|run| backends.contains(&run.backend))
            .collect::<Vec<&Run>>()
    };
    let loops = ["minirt", "smol", "tokio"];
    let requests = |backends: &[&str]| {
        let names: Vec<&str> = backends.to_vec();
        units(
            &on("requests", &names)
                .into_iter()
                .cloned()
                .collect::<Vec<Run>>(),
            &["requests"],
        )
    };
    let (sync, threads, pool, event_loops) = (
        requests(&["sync"])?,
        requests(&["threads"])?,
        requests(&["pool"])?,
        requests(&loops)?,
    );
    let mut text = format!(
        "I/O (part 2): requests to a local server that answers after 1 unit took {sync} \
         units one after another, {threads} on a thread each, {pool} on a pool of five, and \
         {event_loops} on an event loop's one thread: waiting on the network is waiting, \
         and any of these overlaps it."
    );
    let reads = on("file-reads", &loops);
    if !reads.is_empty() {
        let helpers: Vec<String> = (reads.iter())
            .map(|run| format!("{} {}", run.backend, run.threads.saturating_sub(1)))
            .collect();
        text += &format!(
            " Files are different: Linux cannot tell a loop when a regular file is ready, so \
             every async runtime read them on helper threads underneath ({}), no faster than \
             the threads and the pool.",
            helpers.join(", ")
        );
    }
    // Threads only: memory per connection, measured as growth of resident
    // memory after earlier runs in the same process, is too rough to state.
    let threads_of =
        |backend: &str| Some(on("connections", &[backend]).into_iter().next()?.threads);
    if let (Some(thread_count), Some(loop_count)) = (threads_of("threads"), threads_of("minirt")) {
        text += &format!(
            " Holding connections open, threads needed one each ({thread_count} threads); \
             minirt held them all on {loop_count} thread."
        );
    }
    Some(text)
}

/// The measured totals of `scenarios` over all their backends: `5.00`, or a
/// range like `3.00-3.02`.
fn units(runs: &[Run], scenarios: &[&str]) -> Option<String> {
    let totals: Vec<f64> = runs
        .iter()
        .filter(|run| scenarios.contains(&run.scenario))
        .map(|run| run.measured_units)
        .collect();
    let low = totals.iter().copied().reduce(f64::min)?;
    let high = totals.iter().copied().reduce(f64::max)?;
    let (low, high) = (format!("{low:.2}"), format!("{high:.2}"));
    Some(if low == high {
        low
    } else {
        format!("{low}-{high}")
    })
}

/// The final values of `scenario` over all its backends: `1`, or `1 and 2`.
fn values(runs: &[Run], scenario: &str) -> Option<String> {
    let mut values: Vec<i64> = runs
        .iter()
        .filter(|run| run.scenario == scenario)
        .filter_map(|run| run.value)
        .collect();
    values.sort_unstable();
    values.dedup();
    let words: Vec<String> = values.iter().map(i64::to_string).collect();
    (!words.is_empty()).then(|| words.join(" and "))
}

/// The sort's speed-ups against one thread, in words (ours; the Python
/// rows have a paragraph of their own).
fn sort_paragraph(runs: &[Run]) -> Option<String> {
    let ours = |run: &&Run| !python::is_python(run.backend);
    let sorts: Vec<&Run> = runs.iter().filter(|run| run.scenario == "sort").collect();
    let sorts: Vec<&Run> = sorts.into_iter().filter(ours).collect();
    let baseline = sorts.iter().find(|run| run.backend == "sync")?;
    let others: Vec<String> = sorts
        .iter()
        .filter(|run| run.backend != "sync")
        .filter_map(|run| {
            let times = report::speedup(run, runs)?;
            Some(format!("{} {times:.2}×", run.backend))
        })
        .collect();
    Some(format!(
        "CPU-bound sorting: one thread took {}; against it, {}. Threads and processes use \
         every core (processes also pay to copy the lists over pipes); minirt, one thread, \
         cannot go faster however many tasks it has.",
        duration(baseline.wall),
        others.join(", ")
    ))
}

/// The GIL, from the sort's rows: Python threads against one Python
/// thread, Python processes, and our threads against one Rust thread.
fn gil_paragraph(runs: &[Run]) -> Option<String> {
    let sort = |backend: &str| {
        let run = runs
            .iter()
            .find(|run| run.scenario == "sort" && run.backend == backend);
        run.and_then(|run| report::speedup(run, runs))
    };
    let (threads, processes) = (sort("py-threads")?, sort("py-processes")?);
    let baseline = runs
        .iter()
        .find(|run| run.scenario == "sort" && run.backend == "py-sync")?;
    let size = baseline.note.as_deref().unwrap_or("the same lists");
    let mut text = format!(
        "The GIL: sorting {size} in Python, one thread took {}; against it, Python threads \
         ran {threads:.2}× as fast and Python processes {processes:.2}×",
        duration(baseline.wall)
    );
    if let Some(rust) = sort("threads") {
        text += &format!(", where our Rust threads ran {rust:.2}× as fast as one Rust thread");
    }
    let article = threads <= GIL_THREADS_AT_MOST && processes >= GIL_PROCESSES_AT_LEAST;
    text += if article {
        ". CPython lets one thread at a time run Python code, so its threads take turns at \
         CPU-bound work; each process has an interpreter of its own, and Rust has no such lock."
    } else {
        ". Not the article's picture this time (threads near 1×, processes well above it): \
         was the machine busy?"
    };
    Some(text)
}

/// Python threads this much faster than one thread, or less, show the GIL.
const GIL_THREADS_AT_MOST: f64 = 1.15;

/// Python processes this much faster than one thread, or more, show what
/// processes buy.
const GIL_PROCESSES_AT_LEAST: f64 = 1.25;
