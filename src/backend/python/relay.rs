//! What each line of a Python program becomes in the run's record: log
//! lines and spans on the program's threads, trace events on its tasks,
//! and, last, the outcome.
//!
//! The program numbers its tasks and sleeps itself; the relay maps them to
//! the trace's own. It also remembers which task each thread is polling, so
//! that a log line between a `poll_begin` and its `poll_end` belongs to
//! that task, as a Rust task's line does.

use super::protocol::{micros, Line, Machine};
use crate::recorder::{Outcome, Recorder};
use crate::trace::{Kind, TaskId};
use std::collections::HashMap;
use std::time::Duration;

/// The relay of one run.
pub(super) struct Relay<'a> {
    /// Where everything goes.
    rec: &'a Recorder,
    /// The program's task numbers, as trace tasks, with their last name.
    tasks: HashMap<u64, (TaskId, String)>,
    /// The program's sleep numbers, as trace sleeps.
    sleeps: HashMap<u64, usize>,
    /// The task each thread is in the middle of polling.
    polling: HashMap<String, TaskId>,
    /// The last log line's time and thread, for the lines that continue it.
    last: Option<(Duration, String)>,
    /// The outcome, once its line has come.
    outcome: Option<Outcome>,
}

impl<'a> Relay<'a> {
    /// A relay into `rec`.
    pub(super) fn new(rec: &'a Recorder) -> Self {
        Self {
            rec,
            tasks: HashMap::new(),
            sleeps: HashMap::new(),
            polling: HashMap::new(),
            last: None,
            outcome: None,
        }
    }

    /// Takes one line in.
    pub(super) fn line(&mut self, line: Line) {
        match line {
            Line::Log {
                at,
                thread,
                message,
            } => {
                let task = self.polling.get(&thread).copied();
                self.rec.log_from(at, &thread, task, message);
                self.last = Some((at, thread));
            }
            Line::Continued(text) => {
                let (at, thread) = self
                    .last
                    .clone()
                    .unwrap_or_else(|| (self.rec.now(), "MainThread".to_string()));
                self.rec.log_from(at, &thread, None, text);
            }
            Line::Machine(machine) => self.machine(machine),
        }
    }

    /// The outcome, if its line came.
    pub(super) fn outcome(&mut self) -> Option<Outcome> {
        self.outcome.take()
    }

    /// Takes one machine line in.
    fn machine(&mut self, machine: Machine) {
        match machine {
            Machine::TaskStart {
                at_us,
                lane,
                task,
                name,
            } => {
                let id = self.task(task, &name);
                self.event(at_us, &lane, id, Kind::TaskStart);
            }
            Machine::PollBegin {
                at_us,
                lane,
                task,
                name,
            } => {
                let id = self.task(task, &name);
                self.polling.insert(lane.clone(), id);
                self.event(at_us, &lane, id, Kind::PollBegin);
            }
            Machine::PollEnd {
                at_us,
                lane,
                task,
                name,
            } => {
                let id = self.task(task, &name);
                self.polling.remove(&lane);
                self.event(at_us, &lane, id, Kind::PollEnd);
            }
            Machine::TaskEnd { at_us, lane, task } => {
                let id = self.known_task(task);
                self.event(at_us, &lane, id, Kind::TaskEnd);
            }
            Machine::SleepRequested {
                at_us,
                lane,
                task,
                sleep,
                deadline_us,
            } => {
                let number = self.rec.new_sleep();
                self.sleeps.insert(sleep, number);
                let deadline = micros(deadline_us);
                let kind = Kind::SleepRequested {
                    sleep: number,
                    deadline,
                };
                let id = self.known_task(task);
                self.event(at_us, &lane, id, kind);
            }
            Machine::SleepFired {
                at_us,
                lane,
                task,
                sleep,
                deadline_us,
            } => {
                let number = *self
                    .sleeps
                    .entry(sleep)
                    .or_insert_with(|| self.rec.new_sleep());
                let deadline = micros(deadline_us);
                let id = self.known_task(task);
                self.event(
                    at_us,
                    &lane,
                    id,
                    Kind::SleepFired {
                        sleep: number,
                        deadline,
                    },
                );
            }
            Machine::Span {
                lane,
                label,
                begin_us,
                end_us,
                late_us,
            } => {
                let (begin, end) = (micros(begin_us), micros(end_us));
                self.rec.span_from(&lane, label, begin, end);
                if let Some(late) = late_us {
                    self.rec.blocking_late_from(micros(late));
                }
            }
            Machine::Outcome {
                value,
                cpu_us,
                wall_us,
                threads,
                note,
            } => {
                self.outcome = Some(Outcome {
                    value,
                    wall: wall_us.map(micros),
                    cpu: Some(micros(cpu_us)),
                    threads,
                    note,
                });
            }
        }
    }

    /// The trace task of the program's task `number`, made the first time
    /// and renamed when its name changed.
    fn task(&mut self, number: u64, name: &str) -> TaskId {
        match self.tasks.get_mut(&number) {
            Some((id, known)) => {
                if known != name {
                    self.rec.rename_task(*id, name);
                    name.clone_into(known);
                }
                *id
            }
            None => {
                let id = self.rec.new_task(Some(name));
                self.tasks.insert(number, (id, name.to_string()));
                id
            }
        }
    }

    /// The trace task of the program's task `number`, under a placeholder
    /// name if its start was not seen.
    fn known_task(&mut self, number: u64) -> TaskId {
        match self.tasks.get(&number) {
            Some((id, _)) => *id,
            None => self.task(number, &format!("task-{number}")),
        }
    }

    /// Records one event of `task` on `lane`.
    fn event(&self, at_us: u64, lane: &str, task: TaskId, kind: Kind) {
        self.rec.event_from(micros(at_us), lane, Some(task), kind);
    }
}
