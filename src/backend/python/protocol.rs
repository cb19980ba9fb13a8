//! The lines a Python program prints under `--harness` (described from the
//! program's side in `python/article/record.py`):
//!
//! ```text
//! 0.200518s:Thread-1 (delay_message):Printing TWO
//! @{"event": "poll_begin", "at_us": 201069, "lane": "MainThread", "task": 2, "name": "TWO"}
//! @{"event": "span", "lane": "MainThread", "label": "blocking call", "begin_us": 188, "end_us": 200340}
//! @{"event": "outcome", "value": 1, "cpu_us": 135165, "wall_us": null, "threads": null, "note": null}
//! ```
//!
//! A log line is the article's `%(asctime)s:%(threadName)s:%(message)s`
//! with the time since the start as `asctime`; a line that starts with `@`
//! is a JSON object whose `event` is one of concur's trace events, a span,
//! or the outcome. Anything else continues the line before it (a message
//! with a newline in it, asyncio's own multi-line warnings).

use serde::Deserialize;
use std::time::Duration;

/// One line, understood.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Line {
    /// A line of the article's log.
    Log {
        /// When, on the program's clock.
        at: Duration,
        /// Which thread, as Python names it.
        thread: String,
        /// What.
        message: String,
    },
    /// Something the harness reads: a trace event, a span, the outcome.
    Machine(Machine),
    /// More of the line before.
    Continued(String),
}

/// A machine line. Times are microseconds since the program's start;
/// tasks and sleeps are the program's own numbers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub(super) enum Machine {
    /// A task was created.
    TaskStart {
        /// When.
        at_us: u64,
        /// On which thread.
        lane: String,
        /// Its number.
        task: u64,
        /// Its name, so far.
        name: String,
    },
    /// The loop began one step of a task.
    PollBegin {
        /// When.
        at_us: u64,
        /// On which thread.
        lane: String,
        /// Whose step.
        task: u64,
        /// Its name now.
        name: String,
    },
    /// The step returned.
    PollEnd {
        /// When.
        at_us: u64,
        /// On which thread.
        lane: String,
        /// Whose step.
        task: u64,
        /// Its name now (a task may name itself during a step).
        name: String,
    },
    /// A task finished.
    TaskEnd {
        /// When.
        at_us: u64,
        /// On which thread.
        lane: String,
        /// Which task.
        task: u64,
    },
    /// A task asked to sleep until `deadline_us`.
    SleepRequested {
        /// When.
        at_us: u64,
        /// On which thread.
        lane: String,
        /// Which task.
        task: u64,
        /// The sleep's number.
        sleep: u64,
        /// When it should end.
        deadline_us: u64,
    },
    /// The sleeping task ran again.
    SleepFired {
        /// When.
        at_us: u64,
        /// On which thread.
        lane: String,
        /// Which task.
        task: u64,
        /// The sleep's number.
        sleep: u64,
        /// When it should have ended.
        deadline_us: u64,
    },
    /// A blocking call on a thread.
    Span {
        /// The thread.
        lane: String,
        /// What it was.
        label: String,
        /// When it began.
        begin_us: u64,
        /// When it ended.
        end_us: u64,
        /// For a sleep, how late it woke: the machine's noise.
        #[serde(default)]
        late_us: Option<u64>,
    },
    /// What the run found, once, last.
    Outcome {
        /// The race's final value.
        value: Option<i64>,
        /// CPU time: the work's own (the sort), or the whole process's.
        cpu_us: u64,
        /// The work's own wall time, when it timed itself (the sort).
        wall_us: Option<u64>,
        /// Threads or processes, when the work counted them (the sort).
        threads: Option<usize>,
        /// A few words for the table (the sort's size).
        note: Option<String>,
    },
}

/// Reads one line.
///
/// # Errors
///
/// A machine line that is not one of the events above.
pub(super) fn parse(text: &str) -> Result<Line, String> {
    if let Some(json) = text.strip_prefix('@') {
        return serde_json::from_str(json)
            .map(Line::Machine)
            .map_err(|error| format!("a machine line concur cannot read ({error}): {text}"));
    }
    Ok(log_line(text).unwrap_or_else(|| Line::Continued(text.to_string())))
}

/// `2.000131s:Thread-1 (delay_message):Printing TWO`, if it is one.
fn log_line(text: &str) -> Option<Line> {
    let (time, rest) = text.split_once(':')?;
    let seconds: f64 = time.strip_suffix('s')?.parse().ok()?;
    let (thread, message) = rest.split_once(':')?;
    Some(Line::Log {
        at: Duration::try_from_secs_f64(seconds).ok()?,
        thread: thread.to_string(),
        message: message.to_string(),
    })
}

/// Microseconds as a duration.
pub(super) fn micros(us: u64) -> Duration {
    Duration::from_micros(us)
}

#[cfg(test)]
mod tests {
    use super::{parse, Line, Machine};
    use std::time::Duration;

    /// The article's log line, with a thread name as Python 3.10 makes them.
    #[test]
    fn reads_a_log_line() {
        let line = parse("0.200518s:Thread-1 (delay_message):Printing TWO: at last").unwrap();
        let expected = Line::Log {
            at: Duration::from_micros(200_518),
            thread: "Thread-1 (delay_message)".to_string(),
            message: "Printing TWO: at last".to_string(),
        };
        assert_eq!(line, expected);
    }

    /// Machine lines by their `event`; a bad one is an error naming it.
    #[test]
    fn reads_machine_lines() {
        let span = r#"@{"event": "span", "lane": "MainThread", "label": "blocking call", "begin_us": 1, "end_us": 2}"#;
        assert!(matches!(
            parse(span),
            Ok(Line::Machine(Machine::Span { end_us: 2, .. }))
        ));
        let outcome = r#"@{"event": "outcome", "value": 1, "cpu_us": 5, "wall_us": null, "threads": null, "note": null}"#;
        assert!(matches!(
            parse(outcome),
            Ok(Line::Machine(Machine::Outcome { value: Some(1), .. }))
        ));
        let error = parse(r#"@{"event": "nonsense"}"#).unwrap_err();
        assert!(error.contains("nonsense"), "{error}");
    }

    /// Text that is neither continues the line before.
    #[test]
    fn anything_else_continues() {
        let line = parse("task: <Task pending name='Task-1'>").unwrap();
        assert_eq!(
            line,
            Line::Continued("task: <Task pending name='Task-1'>".into())
        );
        assert!(matches!(
            parse("12:39:00:MainThread:Main started"),
            Ok(Line::Continued(_))
        ));
    }
}
