//! The comparison table: one row per (scenario, backend) run.
//!
//! Expected and measured totals are in units, so a run at 50 ms reads like
//! the article's seconds; wall and CPU time are real time.

use super::{note, Failed};
use crate::run::Run;
use crate::stall;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};
use std::time::Duration;

/// The table of `runs`, ready to print.
pub fn table(runs: &[Run]) -> Table {
    with_failures(runs, &[])
}

/// The table of `runs`, then a row per failed run saying why it failed.
pub fn with_failures(runs: &[Run], failed: &[Failed]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header([
            "scenario",
            "backend",
            "expected",
            "measured",
            "wall",
            "CPU",
            "threads",
            "value",
            "matches",
            "note",
            "sleeps late",
        ]);
    for run in runs {
        let expected = run
            .expected_units
            .map_or("—".to_string(), |units| format!("{units:.2}"));
        let value = run.value.map_or("—".to_string(), |value| value.to_string());
        table.add_row([
            run.scenario.to_string(),
            run.backend.to_string(),
            expected,
            format!("{:.2}", run.measured_units),
            duration(run.wall),
            duration(run.cpu),
            run.threads.to_string(),
            value,
            run.verdict.word().to_string(),
            note(run, runs),
            sleeps_late(run),
        ]);
    }
    for failure in failed {
        let mut row = vec![failure.scenario.to_string(), failure.backend.to_string()];
        row.extend(["—"; 6].map(String::from));
        row.extend([
            "FAILED".to_string(),
            failure.reason.clone(),
            "—".to_string(),
        ]);
        table.add_row(row);
    }
    for column in 2..8 {
        if let Some(column) = table.column_mut(column) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// How late the run's sleeps woke, `p50 / p99 / max` in milliseconds
/// (see [`stall::lateness`]); `—` for a run without sleeps on a loop.
pub fn sleeps_late(run: &Run) -> String {
    let Some(late) = stall::lateness(&run.record.trace) else {
        return "—".to_string();
    };
    let ms = |duration: Duration| duration.as_secs_f64() * 1000.0;
    let (p50, p99, max) = (ms(late.p50), ms(late.p99), ms(late.max));
    format!("{p50:.1} / {p99:.1} / {max:.1} ms")
}

/// A duration for a table cell: seconds with two decimals from one second
/// up, milliseconds with one below.
///
/// # Examples
///
/// ```
/// use concur::report::table::duration;
/// use std::time::Duration;
/// assert_eq!(duration(Duration::from_millis(2500)), "2.50 s");
/// assert_eq!(duration(Duration::from_micros(1200)), "1.2 ms");
/// ```
pub fn duration(duration: Duration) -> String {
    if duration >= Duration::from_secs(1) {
        format!("{:.2} s", duration.as_secs_f64())
    } else {
        format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
    }
}
