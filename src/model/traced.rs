//! The poll wrapper: how every async backend feeds the trace, uniformly.
//!
//! Rather than hook into each runtime (only minirt has hooks), the harness
//! wraps what it hands them: [`TracedBackend`] wraps a backend's event loop,
//! `TracedLoop` wraps the loop handle a scenario spawns and sleeps with,
//! and [`Traced`] wraps each task's future. A runtime cannot poll a task
//! without polling its wrapper, so poll begin and end are seen on minirt,
//! smol and tokio alike, with the same clock the log uses.

use crate::clock::Clock;
use crate::model::event_loop::{
    AsyncBackend, BlockingJob, EventLoop, LocalFuture, LoopIo, LoopMutex, Main,
};
use crate::model::io::{BorrowedFuture, Connection, Response, Server};
use crate::recorder::Recorder;
use crate::trace::{self, Kind, TaskId};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// A backend's event loop whose every run is traced into `rec`.
pub struct TracedBackend<'a> {
    /// The backend's own event loop.
    inner: &'a dyn AsyncBackend,
    /// Where events go.
    rec: Recorder,
}

impl<'a> TracedBackend<'a> {
    /// Traces runs of `inner` into `rec`.
    pub fn new(inner: &'a dyn AsyncBackend, rec: Recorder) -> Self {
        Self { inner, rec }
    }

    /// Runs `main` on the loop, traced (as [`AsyncBackend::run`]).
    ///
    /// # Errors
    ///
    /// If the runtime cannot be built.
    pub fn run(&self, main: Main) -> anyhow::Result<()> {
        AsyncBackend::run(self, main)
    }
}

impl AsyncBackend for TracedBackend<'_> {
    fn clock(&self) -> Arc<dyn Clock> {
        self.inner.clock()
    }

    fn run(&self, main: Main) -> anyhow::Result<()> {
        let rec = self.rec.clone();
        self.inner
            .run(Box::new(move |handle| traced_main(handle, rec, main)))
    }
}

/// `main` on the loop `handle`, traced into `rec`: what [`TracedBackend`]
/// runs, for a caller that runs the loop itself (`concur explore`, whose
/// runtimes minirt's explore layer builds).
pub fn traced_main(handle: Rc<dyn EventLoop>, rec: Recorder, main: Main) -> LocalFuture<()> {
    // No event yet: minirt calls this before `block_on`, where its
    // (virtual) clock cannot be read. Main starts at its first poll.
    let task = rec.new_task(Some("main"));
    let traced = Rc::new(TracedLoop {
        inner: handle,
        rec: rec.clone(),
    });
    let mut main = Traced::new(main(traced), rec, task);
    main.started = false;
    Box::pin(main)
}

/// A loop handle that traces the tasks spawned and the sleeps asked of it.
struct TracedLoop {
    /// The backend's handle.
    inner: Rc<dyn EventLoop>,
    /// Where events go.
    rec: Recorder,
}

impl EventLoop for TracedLoop {
    fn spawn(&self, task: LocalFuture<()>) -> LocalFuture<()> {
        let id = self.rec.new_task(None);
        self.rec.event(Some(id), Kind::TaskStart);
        let traced = Traced::new(task, self.rec.clone(), id);
        self.inner.spawn(Box::pin(traced))
    }

    fn spawn_named(&self, name: &'static str, task: LocalFuture<()>) -> LocalFuture<()> {
        let id = self.rec.new_task(Some(name));
        self.rec.event(Some(id), Kind::TaskStart);
        let traced = Traced::new(task, self.rec.clone(), id);
        self.inner.spawn_named(name, Box::pin(traced))
    }

    fn sleep(&self, duration: Duration) -> LocalFuture<()> {
        let deadline = self.rec.now() + duration;
        let sleep = self.rec.new_sleep();
        let asked_by = trace::current_task();
        let requested = Kind::SleepRequested { sleep, deadline };
        self.rec.event(asked_by, requested);
        let inner = self.inner.sleep(duration);
        let rec = self.rec.clone();
        Box::pin(async move {
            inner.await;
            // Recorded when the sleeper runs again, not when the runtime's
            // timer fired: that is when the program sees the time pass.
            rec.event(trace::current_task(), Kind::SleepFired { sleep, deadline });
        })
    }

    fn spawn_blocking(&self, job: BlockingJob) -> LocalFuture<()> {
        self.inner.spawn_blocking(job)
    }

    fn task_count(&self) -> usize {
        self.inner.task_count()
    }

    fn mutex(&self, name: &'static str) -> Rc<dyn LoopMutex> {
        self.inner.mutex(name)
    }
}

// I/O is traced as a wait of the task that awaits it, from the call to
// the moment the task runs again with the result, as sleeps are: so the
// timeline says what each task waited on, not only that it waited.
impl LoopIo for TracedLoop {
    fn http_get(&self, addr: SocketAddr, path: String) -> LocalFuture<anyhow::Result<Response>> {
        let what = format!("GET {path}");
        traced_io(&self.rec, what, self.inner.http_get(addr, path))
    }

    fn serve(&self, server: Server) -> io::Result<SocketAddr> {
        self.inner.serve(server)
    }

    fn read_file(&self, path: PathBuf) -> LocalFuture<io::Result<Vec<u8>>> {
        let what = format!("read {}", file_name(&path));
        traced_io(&self.rec, what, self.inner.read_file(path))
    }

    fn connect(&self, addr: SocketAddr) -> LocalFuture<io::Result<Box<dyn Connection>>> {
        let rec = self.rec.clone();
        let connected = traced_io(&self.rec, "connect".into(), self.inner.connect(addr));
        Box::pin(async move {
            let connection = connected.await?;
            Ok(Box::new(TracedConnection { connection, rec }) as Box<dyn Connection>)
        })
    }
}

/// `io`, recorded as a wait on `what` of the task that asks for it.
fn traced_io<T: 'static>(rec: &Recorder, what: String, io: LocalFuture<T>) -> LocalFuture<T> {
    let io_number = rec.io_requested(trace::current_task(), what);
    let rec = rec.clone();
    Box::pin(async move {
        let done = io.await;
        rec.event(trace::current_task(), Kind::IoDone { io: io_number });
        done
    })
}

/// A file's name, for a wait's label (the directory is a temporary one).
fn file_name(path: &std::path::Path) -> String {
    let name = path.file_name().unwrap_or(path.as_os_str());
    name.to_string_lossy().into_owned()
}

/// A connection whose echoes are recorded as waits.
struct TracedConnection {
    /// The backend's connection.
    connection: Box<dyn Connection>,
    /// Where events go.
    rec: Recorder,
}

impl Connection for TracedConnection {
    fn echo<'a>(&'a mut self, message: &'a [u8]) -> BorrowedFuture<'a, io::Result<Vec<u8>>> {
        let io = self.rec.io_requested(trace::current_task(), "echo".into());
        Box::pin(async move {
            let echoed = self.connection.echo(message).await;
            self.rec.event(trace::current_task(), Kind::IoDone { io });
            echoed
        })
    }
}

/// A task's future, wrapped so that each poll is recorded.
pub struct Traced {
    /// The task itself.
    inner: LocalFuture<()>,
    /// Where events go.
    rec: Recorder,
    /// The task's number in the trace.
    task: TaskId,
    /// Whether its `TaskStart` was recorded (at spawn; main's at first poll).
    started: bool,
    /// Whether it finished; dropped unfinished, it is reported.
    finished: bool,
}

impl Traced {
    /// Wraps `inner`, task `task` of `rec`'s trace.
    pub fn new(inner: LocalFuture<()>, rec: Recorder, task: TaskId) -> Self {
        Self {
            inner,
            rec,
            task,
            started: true,
            finished: false,
        }
    }
}

impl Future for Traced {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let _entered = trace::enter(this.task);
        if !this.started {
            this.started = true;
            this.rec.event(Some(this.task), Kind::TaskStart);
        }
        this.rec.event(Some(this.task), Kind::PollBegin);
        let result = {
            // A guard, so that a panicking poll still ends its poll in the trace.
            let _end = PollEnd(&this.rec, this.task);
            this.inner.as_mut().poll(cx)
        };
        if result.is_ready() {
            this.finished = true;
            this.rec.event(Some(this.task), Kind::TaskEnd);
        }
        result
    }
}

impl Drop for Traced {
    fn drop(&mut self) {
        // Main is `started` at its first poll: never polled, never begun.
        if self.started && !self.finished {
            self.rec.event_at_last(Some(self.task), Kind::TaskDropped);
        }
    }
}

/// Records the end of a poll when dropped.
struct PollEnd<'a>(&'a Recorder, TaskId);

impl Drop for PollEnd<'_> {
    fn drop(&mut self) {
        self.0.event(Some(self.1), Kind::PollEnd);
    }
}
