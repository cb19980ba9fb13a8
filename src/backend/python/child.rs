//! The Python program's process: its lines as they come, its errors, and
//! its end.
//!
//! It is started through [`children::spawn`], like every child of concur:
//! in a process group of its own (so a pool's workers go with it), killed
//! and reaped when its handle drops on any path out of a run, when the run
//! is abandoned after a timeout, or when a signal stops concur. Its stdin
//! is a pipe that concur holds open and never writes: if concur itself is
//! killed, the program sees the end of it and exits
//! (`python/article/record.py`), and its pool workers die with it.

use crate::children::{self, Spawned};
use std::io::{self, BufRead, BufReader, Read};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

/// The most of its stderr kept, from the end: enough for a traceback.
const STDERR_KEPT: usize = 8 * 1024;

/// How long to wait for stderr's last words once the process is gone (a
/// worker it started could still hold the pipe).
const STDERR_WAIT: Duration = Duration::from_secs(2);

/// A running program; dropping it kills and reaps it if it still runs.
pub(super) struct Child {
    /// The process, with its stdin: held open, never written.
    process: Spawned,
    /// The tail of its stderr, sent when the pipe closes.
    stderr: Receiver<String>,
}

impl Child {
    /// Starts `command`, and a thread that reads its stdout into the
    /// returned channel, line by line, until the pipe closes.
    ///
    /// # Errors
    ///
    /// If it cannot be started (it is killed if a reader cannot be).
    pub(super) fn spawn(mut command: Command) -> io::Result<(Self, Receiver<io::Result<String>>)> {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut process = children::spawn(&mut command)?;
        let (stdout, stderr) = (process.stdout.take(), process.stderr.take());
        let (tail, stderr_tail) = mpsc::channel();
        let child = Child {
            process,
            stderr: stderr_tail,
        };
        // From here on an early return drops `child`, which kills it.
        let (stdout, stderr) = (stdout.ok_or_else(missing)?, stderr.ok_or_else(missing)?);
        let (send, lines) = mpsc::channel();
        thread::Builder::new()
            .name("python stdout".into())
            .spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    if send.send(line).is_err() {
                        break;
                    }
                }
            })?;
        thread::Builder::new()
            .name("python stderr".into())
            .spawn(move || {
                let _ = tail.send(read_tail(stderr));
            })?;
        Ok((child, lines))
    }

    /// Waits for it to end.
    ///
    /// # Errors
    ///
    /// If waiting fails.
    pub(super) fn wait(&mut self) -> io::Result<ExitStatus> {
        self.process.wait()
    }

    /// Kills it (with its workers) and waits for it.
    ///
    /// # Errors
    ///
    /// If waiting fails.
    pub(super) fn kill(&mut self) -> io::Result<ExitStatus> {
        self.process.kill();
        self.process.wait()
    }

    /// The last line of what it wrote to stderr (a traceback's last line
    /// is the error), once it is gone.
    pub(super) fn last_error_line(&self) -> String {
        let text = self.stderr.recv_timeout(STDERR_WAIT).unwrap_or_default();
        let last = text.lines().rev().find(|line| !line.trim().is_empty());
        last.unwrap_or("nothing on stderr").trim().to_string()
    }
}

/// The error of a pipe that `spawn` was asked for and did not give.
fn missing() -> io::Error {
    io::Error::other("a pipe to the child was not made")
}

/// Reads `stream` to its end, keeping the last [`STDERR_KEPT`] bytes.
fn read_tail(mut stream: impl Read) -> String {
    let (mut kept, mut buffer) = (Vec::new(), [0; 4096]);
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => kept.extend_from_slice(&buffer[..read]),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            // What was read is all there is to say.
            Err(_) => break,
        }
        let excess = kept.len().saturating_sub(STDERR_KEPT);
        kept.drain(..excess);
    }
    String::from_utf8_lossy(&kept).into_owned()
}
