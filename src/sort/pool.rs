//! A pool of child processes sorting lists sent over pipes: Python's
//! `multiprocessing.Pool`, by hand.
//!
//! `sort.rs` calls [`sort_on_processes`] for the `processes` strategy. It
//! starts `workers` copies of this very binary with the hidden argument
//! [`WORKER_ARG`]; the CLI sees it and calls [`worker_main`](super::worker_main),
//! which runs [`worker_loop`] on stdin and stdout. Lists travel in the
//! frames of `framing.rs`.
//!
//! The parent runs one feeder thread per child. A feeder takes the next
//! unsorted list from a shared queue, writes it to its child, reads the
//! sorted list back into the same place, and repeats until the queue is
//! empty; then it closes the child's stdin, and the child, seeing the end
//! of its input, exits. A fast child thus takes more lists, as in Python's
//! pool. One list is in flight per child, so a child idles while its list
//! crosses the pipe: a few hundred microseconds against milliseconds of
//! sorting, and part of the cost this strategy exists to show.
//!
//! No deadlock is possible: a child writes only after reading a whole
//! frame, and a feeder reads only after writing one.

use super::framing::{read_list, write_list};
use super::merge::merge_sort;
use crate::children::Spawned;
use anyhow::{anyhow, bail, Context, Result};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::slice::IterMut;
use std::sync::{Mutex, PoisonError};
use std::thread;

/// The argument that turns the binary into a pool worker.
pub(crate) const WORKER_ARG: &str = "sort-worker";

/// The work queue the feeders share: the lists not yet handed out.
type Queue<'lists> = Mutex<IterMut<'lists, Vec<i64>>>;

/// Sorts `lists` on `workers` child processes of `exe`, and returns the
/// bytes moved through the pipes, both ways.
///
/// Every child is waited for before this returns, on success or error, so
/// none is left behind and their CPU time shows up in this process's.
///
/// # Errors
/// Fails if a child cannot be started, dies, exits with failure, or sends
/// back something other than a list of the same length.
pub(crate) fn sort_on_processes(lists: &mut [Vec<i64>], workers: usize, exe: &Path) -> Result<u64> {
    let mut children: Vec<Spawned> = Vec::with_capacity(workers);
    let sorted = start_and_feed(lists, workers, exe, &mut children);
    // The pipes were closed when `start_and_feed` returned, so every child
    // now sees the end of its input (or a broken pipe) and exits.
    let mut exits = Vec::with_capacity(children.len());
    for (number, child) in children.iter_mut().enumerate() {
        exits.push(
            child
                .wait()
                .with_context(|| format!("waiting for sort worker {number}")),
        );
    }
    let bytes_moved = sorted?;
    for (number, exit) in exits.into_iter().enumerate() {
        let status = exit?;
        if !status.success() {
            bail!("sort worker {number} exited with {status}");
        }
    }
    Ok(bytes_moved)
}

/// Starts the children (pushing each onto `children` so the caller can wait
/// for them whatever happens) and feeds them every list.
fn start_and_feed(
    lists: &mut [Vec<i64>],
    workers: usize,
    exe: &Path,
    children: &mut Vec<Spawned>,
) -> Result<u64> {
    let mut connections = Vec::with_capacity(workers);
    for number in 0..workers {
        let mut command = Command::new(exe);
        command
            .arg(WORKER_ARG)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        // Registered, so that Ctrl-C or an abandoned run kills the workers
        // rather than leaving them to find their pipes broken.
        let mut child = crate::children::spawn(&mut command).with_context(|| {
            format!(
                "starting sort worker {number} as `{} {WORKER_ARG}`",
                exe.display()
            )
        })?;
        let to_child = child.stdin.take().expect("stdin was piped");
        let from_child = child.stdout.take().expect("stdout was piped");
        children.push(child);
        connections.push((to_child, from_child));
    }
    sort_on_connections(lists, connections)
}

/// Sorts `lists` on workers reached through `connections`, one
/// (to-worker, from-worker) pair each, with one feeder thread per pair.
/// Returns the bytes moved both ways.
///
/// Generic over the streams so that tests can put in-process workers at
/// the other end. Every connection is dropped (closed) before returning.
///
/// # Errors
/// The first error of any feeder, labelled with its worker's number.
pub(crate) fn sort_on_connections<W, R>(
    lists: &mut [Vec<i64>],
    connections: Vec<(W, R)>,
) -> Result<u64>
where
    W: Write + Send,
    R: Read + Send,
{
    let max_len = lists.iter().map(Vec::len).max().unwrap_or(0);
    let queue: Queue<'_> = Mutex::new(lists.iter_mut());
    thread::scope(|scope| {
        let feeders: Vec<_> = connections
            .into_iter()
            .map(|(to_worker, from_worker)| {
                let queue = &queue;
                scope.spawn(move || feed(to_worker, from_worker, queue, max_len))
            })
            .collect();
        let mut bytes_moved = 0;
        for (number, feeder) in feeders.into_iter().enumerate() {
            let moved = feeder
                .join()
                .map_err(|_| anyhow!("the feeder thread of sort worker {number} panicked"))?
                .with_context(|| format!("sort worker {number}"))?;
            bytes_moved += moved;
        }
        Ok(bytes_moved)
    })
}

/// One feeder: sends lists from `queue` to a worker and reads each back
/// sorted into its place, until the queue is empty. Returns the bytes moved.
fn feed(
    mut to_worker: impl Write,
    mut from_worker: impl Read,
    queue: &Queue<'_>,
    max_len: usize,
) -> Result<u64> {
    let mut buffer = Vec::new();
    let mut bytes_moved = 0;
    loop {
        // A poisoned lock means another feeder panicked while taking a list;
        // the iterator itself is still sound, so carry on with it. The guard
        // is dropped at the end of this statement, before any I/O.
        let Some(list) = queue.lock().unwrap_or_else(PoisonError::into_inner).next() else {
            return Ok(bytes_moved);
        };
        let sent_len = list.len();
        bytes_moved += write_list(&mut to_worker, list, &mut buffer).context("sending a list")?;
        to_worker.flush().context("sending a list")?;
        bytes_moved += read_list(&mut from_worker, list, &mut buffer, max_len)
            .context("receiving a sorted list")?
            .context("the worker closed its output before answering")?;
        if list.len() != sent_len {
            bail!("sent {sent_len} elements, received {}", list.len());
        }
    }
}

/// The worker's side: reads lists from `input` until it ends, sorts each,
/// writes it to `output`, and returns how many lists it sorted.
///
/// # Errors
/// Fails if the input breaks off inside a frame or announces a list longer
/// than `max_len`, or if writing fails (the parent went away).
pub(crate) fn worker_loop(
    mut input: impl Read,
    mut output: impl Write,
    max_len: usize,
) -> Result<usize> {
    let (mut list, mut buffer) = (Vec::new(), Vec::new());
    let mut sorted = 0;
    while read_list(&mut input, &mut list, &mut buffer, max_len)?.is_some() {
        merge_sort(&mut list);
        write_list(&mut output, &list, &mut buffer)?;
        // Flush after every list: the parent is waiting for this one.
        output.flush()?;
        sorted += 1;
    }
    Ok(sorted)
}

#[cfg(test)]
mod tests;
