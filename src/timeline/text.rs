//! The timeline as a Unicode Gantt chart, for the terminal.
//!
//! One line per task: `█` while polled, `▒` while waiting on I/O, `░` while
//! waiting on anything else, on a shared time axis in units. A stall gets a line of `▓` across its span and a sentence
//! under its lane. The same [`Picture`]s as the SVG, in fewer pixels.

use super::Picture;
use std::fmt::Write as _;
use std::time::Duration;

/// How many columns the time axis spans.
const COLUMNS: usize = 64;

/// The chart of `pictures`, stacked, with an axis in units of `unit`.
pub fn render(pictures: &[Picture], unit: Duration) -> String {
    let longest = pictures.iter().map(|picture| picture.total).max();
    let units = longest.unwrap_or_default().as_secs_f64() / unit.as_secs_f64();
    let axis_units = units.ceil().max(1.0);
    // Which column a time falls in.
    let column = |at: Duration| {
        let share = at.as_secs_f64() / unit.as_secs_f64() / axis_units;
        ((share * COLUMNS as f64) as usize).min(COLUMNS - 1)
    };
    // Row names right-aligned in one column, as wide as the longest.
    let rows = pictures.iter().flat_map(|picture| &picture.lanes);
    let names = rows.flat_map(|lane| lane.rows.iter().map(|row| row.name.chars().count()));
    let width = names.max().unwrap_or(0).max(5);
    let mut text = String::new();
    for picture in pictures {
        let total = picture.total.as_secs_f64() / unit.as_secs_f64();
        let _ = writeln!(text, "{} — {total:.2} units", picture.title);
        for lane in &picture.lanes {
            let _ = writeln!(text, "  thread {}", lane.thread);
            for row in &lane.rows {
                let mut bar = vec![' '; COLUMNS];
                for segment in row.segments.iter().filter(|s| s.running || s.end > s.begin) {
                    let (first, last) = (column(segment.begin), column(segment.end));
                    let fill = match (segment.running, &segment.waits_on) {
                        (true, _) => '█',
                        (false, Some(_)) => '▒',
                        (false, None) => '░',
                    };
                    for cell in &mut bar[first..=last] {
                        // A column both ran and waited: running wins, so
                        // even a short poll shows.
                        if *cell != '█' {
                            *cell = fill;
                        }
                    }
                }
                let bar: String = bar.into_iter().collect();
                let _ = writeln!(text, "  {:>width$} │{bar}│", row.name);
            }
            for stall in &lane.stalls {
                let mut bar = vec![' '; COLUMNS];
                for cell in &mut bar[column(stall.begin)..=column(stall.end)] {
                    *cell = '▓';
                }
                let bar: String = bar.into_iter().collect();
                let _ = writeln!(text, "  {:>width$} │{bar}│", "STALL");
                let held = stall.held().as_secs_f64() / unit.as_secs_f64();
                let _ = writeln!(
                    text,
                    "  {:>width$}  ▲ loop blocked {held:.1} units by {}",
                    "", stall.task
                );
            }
        }
        text.push('\n');
    }
    text += &axis(axis_units, unit, width);
    text
}

/// The axis under names `width` wide: a tick per unit (or per 5 when
/// long), labelled, and its unit.
fn axis(units: f64, unit: Duration, width: usize) -> String {
    let step = if units > 16.0 { 5 } else { 1 };
    let mut ticks = vec!['─'; COLUMNS + 1];
    let mut labels = vec![' '; COLUMNS + 8];
    for tick in (0..=units as usize).step_by(step) {
        let at = (tick as f64 / units * COLUMNS as f64).round() as usize;
        ticks[at.min(COLUMNS)] = '┴';
        for (offset, digit) in tick.to_string().chars().enumerate() {
            if let Some(cell) = labels.get_mut(at + offset) {
                *cell = digit;
            }
        }
    }
    let ticks: String = ticks.into_iter().collect();
    let labels: String = labels.into_iter().collect();
    format!(
        "  {:>width$}  {ticks}\n  {:>width$}  {}\n  {:>width$}  time in units (1 unit = {})\n  {:>width$}  █ polled (running)  ▒ waiting on I/O  ░ waiting  ▓ loop blocked\n",
        "",
        "",
        labels.trim_end(),
        "",
        humantime::format_duration(unit),
        ""
    )
}
