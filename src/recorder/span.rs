//! Spans: stretches of time a thread spent on one thing (a blocking call,
//! a job), recorded by a guard when it is dropped. Part of the
//! [`Recorder`]; kept apart to keep `recorder.rs` short.

use super::{Recorder, Span};
use std::time::Duration;

impl Recorder {
    /// A blocking call of `duration` on the current thread (see
    /// [`Clock::block_for`](crate::clock::Clock::block_for)), recorded as a `blocking call` span.
    pub fn block_for(&self, duration: Duration) {
        let _span = self.span("blocking call");
        self.shared.clock.block_for(duration);
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
