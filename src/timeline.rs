//! Timelines: who ran when, who waited, and where the loop stalled, as a
//! picture ([`svg`]) or a Unicode Gantt chart in the terminal ([`text`]).
//!
//! [`Picture::of`] turns one run's trace into lanes, one per thread. On an
//! event loop each task is a row on its thread's lane: solid while it is
//! polled (running), light while it waits. A thread's own work (threads,
//! pool) is a row of its own, light while it sleeps or waits. A wait on I/O
//! (a response, a file) is marked as such, with what it waited on, so part
//! 2's pictures say who waited on what. Log lines are marks; a [`Stall`] is
//! a band across its lane.

pub mod svg;
pub mod text;

use crate::run::Run;
use crate::stall::{self, Stall};
use crate::trace::{Kind, TaskId};
use std::collections::HashMap;
use std::time::Duration;

/// One run, ready to draw.
#[derive(Debug, Clone)]
pub struct Picture {
    /// `blocking on minirt`.
    pub title: String,
    /// The run's length on its clock.
    pub total: Duration,
    /// One per thread, in the order threads were first seen.
    pub lanes: Vec<Lane>,
}

/// One thread.
#[derive(Debug, Clone)]
pub struct Lane {
    /// The thread's name, as the log shows it.
    pub thread: String,
    /// The tasks (or the thread's own work) that ran on it.
    pub rows: Vec<Row>,
    /// Polls on this thread that held it past the stall threshold.
    pub stalls: Vec<Stall>,
}

/// One task, or a thread's own work.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// The task's name (`THREE`), or the thread's.
    pub name: String,
    /// From start to end, back to back: running (polled) or waiting.
    pub segments: Vec<Segment>,
    /// Log lines: when, and the message.
    pub marks: Vec<(Duration, String)>,
    /// Sleeps that woke late: (when due, when the task ran again).
    pub late: Vec<(Duration, Duration)>,
    /// The I/O it waits on now, as (the wait's number, what), oldest first.
    io: Vec<(usize, String)>,
}

/// A stretch of a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Where it begins.
    pub begin: Duration,
    /// Where it ends.
    pub end: Duration,
    /// Polled (true) or waiting (false).
    pub running: bool,
    /// While waiting, the I/O it waited on (`GET /3`), if it was I/O.
    pub waits_on: Option<String>,
}

impl Picture {
    /// The picture of `run`, with stalls at `threshold` (or the default).
    pub fn of(run: &Run, threshold: Option<Duration>) -> Self {
        let trace = &run.record.trace;
        let threshold = threshold.unwrap_or_else(|| stall::default_threshold(run.unit));
        let end = trace
            .events
            .last()
            .map_or(run.record.total, |event| event.at);
        let mut lanes: Vec<Lane> = Vec::new();
        // Rows by task (None: the thread's own row), with their lane.
        let mut rows: HashMap<(String, Option<TaskId>), (usize, usize)> = HashMap::new();
        let mut polling: HashMap<TaskId, Duration> = HashMap::new();
        for event in &trace.events {
            let lane = match lanes.iter().position(|lane| lane.thread == event.lane) {
                Some(index) => index,
                None => {
                    lanes.push(Lane::new(&event.lane));
                    lanes.len() - 1
                }
            };
            if event.kind == Kind::ThreadStart {
                // A lane, but no row: on a loop the thread's work is its tasks'.
                continue;
            }
            let key = (event.lane.clone(), event.task);
            let (lane, row) = *rows.entry(key).or_insert_with(|| {
                let name = trace.name(event.task, &event.lane).to_string();
                lanes[lane].rows.push(Row::waiting(name, event.at));
                (lane, lanes[lane].rows.len() - 1)
            });
            let row = &mut lanes[lane].rows[row];
            row.extend_to(event.at);
            // A task's I/O begins and ends inside its polls, and shows in
            // the wait after the poll; a thread's own wait shows at once.
            let polled = event.task.is_some_and(|task| polling.contains_key(&task));
            match (&event.kind, event.task) {
                (Kind::IoRequested { io, what }, _) => row.io_begins(*io, what, event.at, polled),
                (Kind::IoDone { io }, _) => row.io_ends(*io, event.at, polled),
                (Kind::PollBegin, Some(task)) => {
                    polling.insert(task, event.at);
                }
                (Kind::PollEnd, Some(task)) => {
                    if let Some(begin) = polling.remove(&task) {
                        row.run(begin, event.at);
                    }
                }
                (Kind::Log { message }, _) => row.marks.push((event.at, message.clone())),
                (Kind::SleepFired { deadline, .. }, _) if event.at >= *deadline + threshold => {
                    row.late.push((*deadline, event.at));
                }
                _ => {}
            }
        }
        for stall in stall::stalls(trace, threshold) {
            let on = lanes.iter_mut().find(|lane| {
                let mut names = lane.rows.iter().map(|row| row.name.as_str());
                names.any(|name| name == stall.task)
            });
            if let Some(lane) = on {
                lane.stalls.push(stall);
            }
        }
        Picture {
            title: format!("{} on {}", run.scenario, run.backend),
            total: end.max(run.record.total),
            lanes,
        }
    }
}

impl Lane {
    /// An empty lane for `thread`.
    fn new(thread: &str) -> Self {
        Self {
            thread: thread.to_string(),
            rows: Vec::new(),
            stalls: Vec::new(),
        }
    }
}

impl Row {
    /// A row that starts waiting at `at`.
    fn waiting(name: String, at: Duration) -> Self {
        let segment = Segment {
            begin: at,
            end: at,
            running: false,
            waits_on: None,
        };
        Self {
            name,
            segments: vec![segment],
            ..Self::default()
        }
    }

    /// The I/O wait `io` on `what` begins at `at`; outside a poll (a
    /// thread's blocking call) the waiting segment turns into it now.
    fn io_begins(&mut self, io: usize, what: &str, at: Duration, polled: bool) {
        self.io.push((io, what.to_string()));
        if !polled {
            self.wait_from(at);
        }
    }

    /// The I/O wait `io` ends at `at`.
    fn io_ends(&mut self, io: usize, at: Duration, polled: bool) {
        self.io.retain(|(number, _)| *number != io);
        if !polled {
            self.wait_from(at);
        }
    }

    /// Starts a new waiting segment at `at`, on whatever I/O is pending.
    fn wait_from(&mut self, at: Duration) {
        if let Some(last) = self.segments.last_mut() {
            last.end = at.max(last.begin);
        }
        self.segments.retain(|s| s.running || s.end > s.begin);
        let waits_on = self.io.first().map(|(_, what)| what.clone());
        self.segments.push(Segment {
            begin: at,
            end: at,
            running: false,
            waits_on,
        });
    }

    /// Stretches the last segment to `at` (time only moves forward).
    fn extend_to(&mut self, at: Duration) {
        if let Some(last) = self.segments.last_mut() {
            last.end = last.end.max(at);
        }
    }

    /// Marks `begin..end` as running: the last (waiting) segment is cut at
    /// `begin`, and a waiting one follows from `end`.
    fn run(&mut self, begin: Duration, end: Duration) {
        if let Some(last) = self.segments.last_mut() {
            last.end = begin.max(last.begin);
        }
        self.segments
            .retain(|segment| segment.running || segment.end > segment.begin);
        let running = Segment {
            begin,
            end,
            running: true,
            waits_on: None,
        };
        let after = Segment {
            begin: end,
            end,
            running: false,
            waits_on: self.io.first().map(|(_, what)| what.clone()),
        };
        self.segments.extend([running, after]);
    }

    /// When the row begins and ends.
    pub fn extent(&self) -> (Duration, Duration) {
        let begin = self.segments.first().map_or(Duration::ZERO, |s| s.begin);
        let end = self.segments.last().map_or(begin, |s| s.end);
        (begin, end)
    }
}
