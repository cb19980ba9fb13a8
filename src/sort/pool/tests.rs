//! Tests of the process pool's protocol, with workers on threads instead
//! of processes.
//!
//! A unit test cannot start the `concur` binary (under `cargo test` the
//! current executable is the test harness), so these tests connect the
//! feeders to [`worker_loop`]s on threads through in-memory pipes. The
//! same code then runs as in the pool; only the transport differs. Real
//! child processes are exercised where they fail, with `true` as a worker
//! that exits at once.

use super::{sort_on_connections, sort_on_processes, worker_loop};
use crate::sort::framing::write_list;
use crate::sort::input::generate;
use std::io::{self, Cursor, Read, Write};
use std::path::Path;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread;

/// The writing end of an in-memory pipe: each write becomes one message.
struct PipeWriter(Sender<Vec<u8>>);

/// The reading end of an in-memory pipe; it ends when the writer is dropped.
struct PipeReader {
    /// Where the writer's messages arrive.
    messages: Receiver<Vec<u8>>,
    /// The message being read, and how far into it.
    current: Cursor<Vec<u8>>,
}

impl Write for PipeWriter {
    /// Sends `bytes` as one message.
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        // A dropped reader is a broken pipe, as with a dead process.
        self.0
            .send(bytes.to_vec())
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
        Ok(bytes.len())
    }

    /// Nothing to do: every write was sent at once.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Read for PipeReader {
    /// Reads from the current message, waiting for the next when it is used up.
    fn read(&mut self, into: &mut [u8]) -> io::Result<usize> {
        while self.current.position() == self.current.get_ref().len() as u64 {
            match self.messages.recv() {
                Ok(message) => self.current = Cursor::new(message),
                // The writer is gone: end of stream.
                Err(_) => return Ok(0),
            }
        }
        self.current.read(into)
    }
}

/// A new in-memory pipe.
fn pipe() -> (PipeWriter, PipeReader) {
    let (sender, messages) = channel();
    let reader = PipeReader {
        messages,
        current: Cursor::new(Vec::new()),
    };
    (PipeWriter(sender), reader)
}

/// Starts `count` workers on threads; returns the parent's ends of their
/// pipes, and the threads, which yield how many lists each sorted.
fn thread_workers(
    count: usize,
) -> (
    Vec<(PipeWriter, PipeReader)>,
    Vec<thread::JoinHandle<usize>>,
) {
    (0..count)
        .map(|_| {
            let (to_worker, worker_input) = pipe();
            let (worker_output, from_worker) = pipe();
            let worker =
                thread::spawn(move || worker_loop(worker_input, worker_output, 1 << 20).unwrap());
            ((to_worker, from_worker), worker)
        })
        .unzip()
}

/// The pool sorts every list, moves exactly the framed bytes both ways, and
/// every worker stops once its input closes.
#[test]
fn pool_sorts_every_list_on_thread_workers() {
    let mut lists = generate(20, 500, 11);
    let mut expected = lists.clone();
    expected.iter_mut().for_each(|list| list.sort());

    let (connections, workers) = thread_workers(3);
    let bytes_moved = sort_on_connections(&mut lists, connections).unwrap();
    let sorted_per_worker: Vec<usize> = workers
        .into_iter()
        .map(|worker| worker.join().unwrap())
        .collect();

    assert_eq!(lists, expected);
    // Each list crosses twice: a 4-byte header and 8 bytes per element.
    assert_eq!(bytes_moved, 2 * 20 * (4 + 8 * 500));
    assert_eq!(sorted_per_worker.iter().sum::<usize>(), 20);
}

/// The worker loop, fed a byte stream, answers each list sorted and stops
/// cleanly at the end of its input.
#[test]
fn worker_loop_answers_each_frame() {
    let (mut input, mut buffer) = (Vec::new(), Vec::new());
    for list in [vec![3, 1, 2], vec![], vec![-5]] {
        write_list(&mut input, &list, &mut buffer).unwrap();
    }
    let mut output = Vec::new();
    assert_eq!(worker_loop(Cursor::new(input), &mut output, 10).unwrap(), 3);

    let mut expected = Vec::new();
    for list in [vec![1, 2, 3], vec![], vec![-5]] {
        write_list(&mut expected, &list, &mut buffer).unwrap();
    }
    assert_eq!(output, expected);
}

/// A worker whose input breaks off inside a frame reports an error.
#[test]
fn worker_loop_rejects_a_truncated_stream() {
    let (mut input, mut buffer) = (Vec::new(), Vec::new());
    write_list(&mut input, &[1, 2, 3], &mut buffer).unwrap();
    input.truncate(10);
    assert!(worker_loop(Cursor::new(input), Vec::new(), 10).is_err());
}

/// A worker that dies without answering is an error naming the worker.
#[test]
fn a_silent_worker_is_an_error() {
    let (to_worker, worker_input) = pipe();
    let (worker_output, from_worker) = pipe();
    // This "worker" reads nothing and answers nothing.
    drop((worker_input, worker_output));
    let mut lists = generate(2, 10, 1);
    let error = sort_on_connections(&mut lists, vec![(to_worker, from_worker)]).unwrap_err();
    assert!(format!("{error:#}").contains("sort worker 0"), "{error:#}");
}

/// Real child processes: a missing executable, and one that exits at once
/// without reading (`true`), are errors, not panics or hangs.
#[test]
fn broken_child_processes_are_errors() {
    let mut lists = generate(4, 100, 2);
    let missing = sort_on_processes(&mut lists, 2, Path::new("/nonexistent/concur")).unwrap_err();
    assert!(
        format!("{missing:#}").contains("starting sort worker 0"),
        "{missing:#}"
    );

    let silent = sort_on_processes(&mut lists, 2, Path::new("true")).unwrap_err();
    assert!(format!("{silent:#}").contains("sort worker"), "{silent:#}");
}
