//! Spans: stretches of time a thread spent on one thing (a blocking call,
//! a job), recorded by a guard when it is dropped. Part of the
//! [`Recorder`]; kept apart to keep `recorder.rs` short.

use super::{Recorder, Span};
use std::time::Duration;

impl Recorder {
    /// A blocking call of `duration` on the current thread (see
    /// [`Clock::block_for`](crate::clock::Clock::block_for)), recorded as a `blocking call` span.
    /// How late it woke is kept too: the OS's scheduling noise, as the run
    /// itself met it (see [`Record::blocking_late`](super::Record::blocking_late)).
    pub fn block_for(&self, duration: Duration) {
        let _span = self.span("blocking call");
        let clock = &self.shared.clock;
        let asleep = clock.now();
        clock.block_for(duration);
        let late = clock.now().saturating_sub(asleep).saturating_sub(duration);
        let mut state = self.lock();
        state.blocking_late = state.blocking_late.max(late);
    }

    /// Runs `call`, a blocking call of unknown length (see
    /// [`Clock::block_on_call`](crate::clock::Clock::block_on_call)),
    /// recorded as a span called `label`.
    pub fn block_on_call(&self, label: &str, mut call: impl FnMut()) {
        let _span = self.span(label);
        self.shared.clock.block_on_call(&mut call);
    }

    /// Starts a span; it ends (and is recorded) when the guard is dropped.
    pub fn span(&self, label: impl Into<String>) -> SpanGuard {
        SpanGuard {
            recorder: self.clone(),
            label: label.into(),
            begin: self.now(),
        }
    }
}

/// Records a [`Span`] when dropped. Made by [`Recorder::span`].
pub struct SpanGuard {
    /// Where to record.
    recorder: Recorder,
    /// What the span was.
    label: String,
    /// When it began.
    begin: Duration,
}

impl Drop for SpanGuard {
    fn drop(&mut self) {
        let recorder = &self.recorder;
        let mut state = recorder.lock();
        let end = recorder.elapsed(&mut state);
        let thread = recorder.see_thread(&mut state, self.begin);
        state.spans.push(Span {
            thread,
            label: std::mem::take(&mut self.label),
            begin: self.begin,
            end,
        });
    }
}
