//! The server under test as the load generator sees it: a `concur
//! bench-server` process (under `strace -c -f` when system calls are
//! counted), started and stopped from here, and the one-line control
//! protocol of `net.rs` spoken over its stdin and stdout, each answer
//! waited for at most a given time. Part of `loadgen.rs`.

use super::ANSWER_LIMIT;
use crate::bench::pin;
use crate::children::{self, Spawned};
use anyhow::{anyhow, bail, Context, Result};
use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::io::Errno;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

/// What a server said about itself (`stats`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Stats {
    /// Its CPU time so far, every thread, in ns.
    pub(super) cpu_ns: u64,
    /// Its resident bytes.
    pub(super) rss: u64,
    /// Its threads.
    pub(super) threads: u64,
    /// Connections it dropped for want of a thread.
    pub(super) spawn_failures: u64,
}

/// A server process (`concur bench-server`), under strace or not.
pub(super) struct Server {
    /// The process (strace's, when traced); killed if dropped early.
    child: Spawned,
    /// Its control input; closing it ends the server.
    stdin: Option<ChildStdin>,
    /// Its control output, read line by line.
    stdout: Lines,
    /// Where it listens.
    pub(super) addr: SocketAddr,
}

impl Server {
    /// Starts the server `backend` (with its timers task if `timers`; under
    /// `strace -c -f -o trace` if given) and reads where it listens.
    pub(super) fn start(backend: &str, timers: bool, trace: Option<&Path>) -> Result<Server> {
        let exe = std::env::current_exe().context("finding this executable")?;
        let mut command = match trace {
            Some(trace) => {
                let mut command = Command::new("strace");
                command
                    .args(["-f", "-c", "-o"])
                    .arg(trace)
                    .arg("--")
                    .arg(&exe);
                command
            }
            None => Command::new(&exe),
        };
        command.args([crate::bench::SERVER_SUBCOMMAND, backend]);
        if timers {
            command.arg("--timers");
        }
        if let Ok((_, cpu)) = pin::cpus() {
            command.args(["--cpu", &cpu.to_string()]);
        }
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = children::spawn(&mut command).context("starting the server")?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().context("the server's stdout")?;
        let mut stdout = Lines::new(stdout);
        let mut addr = None;
        while addr.is_none() {
            let line = stdout
                .next(ANSWER_LIMIT)
                .context("waiting for the server to listen")?;
            match line.split_once(' ') {
                Some(("addr", at)) => addr = Some(at.parse().context("the server's address")?),
                // Not asked to pin (one CPU) is already the suite's note.
                Some(("unpinned", why)) if pin::cpus().is_ok() => {
                    eprintln!("note: server not pinned: {why}");
                }
                _ => {}
            }
        }
        Ok(Server {
            child,
            stdin,
            stdout,
            addr: addr.context("an address")?,
        })
    }

    /// Sends `request` and returns the fields of the answer, which must
    /// start with the request's own word.
    pub(super) fn ask(&mut self, request: &str) -> Result<Vec<String>> {
        let stdin = self
            .stdin
            .as_mut()
            .context("the server's stdin is closed")?;
        writeln!(stdin, "{request}")
            .and_then(|()| stdin.flush())
            .context("asking the server")?;
        let line = self
            .stdout
            .next(ANSWER_LIMIT)
            .with_context(|| format!("asking `{request}`"))?;
        let fields: Vec<String> = line.split_whitespace().map(String::from).collect();
        if fields.first().map(String::as_str) != Some(request) {
            bail!("the server answered `{request}` with `{line}`");
        }
        Ok(fields)
    }

    /// The server's `stats`.
    pub(super) fn stats(&mut self) -> Result<Stats> {
        let fields = self.ask("stats")?;
        let number = |at: usize| -> Result<u64> {
            let field = fields
                .get(at)
                .ok_or_else(|| anyhow!("a short stats line"))?;
            field.parse().with_context(|| format!("stats: `{field}`"))
        };
        Ok(Stats {
            cpu_ns: number(1)?,
            rss: number(2)?,
            threads: number(3)?,
            spawn_failures: number(4)?,
        })
    }

    /// Closes the server's input, which ends it, and waits for it (and
    /// for strace to write its summary); killed after [`ANSWER_LIMIT`].
    pub(super) fn finish(mut self) -> Result<()> {
        drop(self.stdin.take());
        let waited = self.child.wait_timeout(ANSWER_LIMIT)?;
        if waited.is_none() {
            self.child.kill();
            bail!("the server did not end within {ANSWER_LIMIT:?} of its input closing");
        }
        Ok(())
    }
}

/// The lines of a pipe, each waited for at most a given time (a server
/// that hangs must not hang its load generator).
struct Lines {
    /// The pipe.
    pipe: ChildStdout,
    /// Bytes read past the last whole line.
    buffer: Vec<u8>,
}

impl Lines {
    /// Lines of `pipe`.
    fn new(pipe: ChildStdout) -> Self {
        Lines {
            pipe,
            buffer: Vec::new(),
        }
    }

    /// The next line, within `limit`.
    fn next(&mut self, limit: Duration) -> Result<String> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(end) = self.buffer.iter().position(|&byte| byte == b'\n') {
                let line: Vec<u8> = self.buffer.drain(..=end).collect();
                return Ok(String::from_utf8_lossy(&line[..end]).into_owned());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                bail!("no answer from the server within {limit:?}");
            }
            let timeout = Timespec::try_from(left).ok();
            let mut ready = [PollFd::new(&self.pipe, PollFlags::IN)];
            match rustix::event::poll(&mut ready, timeout.as_ref()) {
                Ok(0) | Err(Errno::INTR) => continue,
                Ok(_) => {}
                Err(error) => return Err(io::Error::from(error).into()),
            }
            let mut chunk = [0; 4096];
            match self.pipe.read(&mut chunk)? {
                0 => bail!("the server ended"),
                read => self.buffer.extend_from_slice(&chunk[..read]),
            }
        }
    }
}
