//! Part 2, P2, `file-reads`: read many generated files (200 of 1 MiB by
//! default, `--files`), every one checksummed.
//!
//! The article's refresher says threads suit disk I/O too. On Linux an
//! event loop has no better answer for a regular file: epoll refuses
//! them, and a read blocks its thread whatever the flags. So every async
//! runtime hands files to helper threads underneath (`minirt::fs` and
//! tokio's `fs` their blocking pools, smol's `async-fs` the `blocking`
//! crate's), and the run shows how many threads did the reading, which
//! `/proc/self/task` tells (`procfs.rs`). The files are written to a
//! temporary directory first, outside the time measured, and removed
//! after; warm in the page cache, so this measures the calls, not a disk.

pub mod files;

use super::{Ctx, IoSizes, Meta, Outcome, Scenario};
use crate::backend::Backend;
use crate::check::{self, Expected};
use crate::clock::process_cpu_time;
use crate::model::event_loop::{gather, Handle};
use crate::model::io::IoStyle;
use crate::model::workers::JobSet;
use crate::model::Model;
use crate::procfs::{self, ThreadTally};
use crate::recorder::Recorder;
use files::{checksum, FileSet};
use std::cell::RefCell;
use std::collections::HashSet;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// P2.
pub struct FileReads;

/// Its name, section, summary and model: what the command line lists.
pub const META: Meta = Meta {
    name: "file-reads",
    section: "P2",
    about: "read generated files (--files, 200 × 1 MiB), checksummed; threads used shown",
    model: Model::Io,
};

/// The pool's size, as for the requests.
const POOL: usize = super::requests::POOL;

impl Scenario for FileReads {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn expected(&self, _unit: Duration) -> Expected {
        expected_reads(&IoSizes::default())
    }

    fn expected_on(&self, _unit: Duration, _backend: &Backend, sizes: &IoSizes) -> Expected {
        expected_reads(sizes)
    }

    fn run(&self, backend: &Backend, ctx: &Ctx) -> anyhow::Result<Outcome> {
        let set = FileSet::generate(ctx.io.files, ctx.io.file_size)?;
        let files = set.files.clone();
        let (wall_start, cpu_start) = (Instant::now(), process_cpu_time());
        ctx.log(starting_line(&ctx.io));
        // Each read gives whether its checksum matched, and the thread that read.
        let (results, threads): (Vec<bool>, usize) = match backend.io()? {
            IoStyle::Sequential => {
                let results: anyhow::Result<Vec<bool>> = files
                    .into_iter()
                    .map(|file| read_blocking(&ctx.rec, file))
                    .collect();
                (results?, 1)
            }
            IoStyle::Workers { make, .. } => {
                let workers = make(POOL);
                let mut jobs = JobSet::new(workers.as_ref());
                for file in files {
                    let rec = ctx.rec.clone();
                    jobs.submit(move || (read_blocking(&rec, file), procfs::current_thread_id()));
                }
                let done = jobs.join_all();
                workers.join();
                let threads: HashSet<u32> = done.iter().map(|&(_, thread)| thread).collect();
                let results: anyhow::Result<Vec<bool>> =
                    done.into_iter().map(|(matched, _)| matched).collect();
                (results?, threads.len())
            }
            IoStyle::EventLoop => {
                let found = Rc::new(RefCell::new((Vec::new(), 0)));
                let (main_found, main_ctx) = (Rc::clone(&found), ctx.clone());
                ctx.event_loop(backend)?.run(Box::new(move |event_loop| {
                    Box::pin(read_on_loop(event_loop, main_ctx, files, main_found))
                }))?;
                let (results, threads) = found.take();
                (results.into_iter().collect::<anyhow::Result<_>>()?, threads)
            }
        };
        let (wall, cpu) = (
            wall_start.elapsed(),
            process_cpu_time().saturating_sub(cpu_start),
        );
        let matched = results.iter().filter(|&&matched| matched).count();
        ctx.log(format!(
            "Read {} files, {matched} checksums match",
            results.len()
        ));
        drop(set);
        let size = size_words(&ctx.io);
        let note = match backend.io()? {
            IoStyle::EventLoop => format!("{size}; the loop and {} helper threads", threads - 1),
            _ => size,
        };
        Ok(Outcome {
            value: Some(i64::try_from(matched).unwrap_or(i64::MAX)),
            wall: Some(wall),
            cpu: Some(cpu),
            threads: Some(threads),
            note: Some(note),
        })
    }
}

/// What a run must show: its first line at 0, and every checksum right.
fn expected_reads(sizes: &IoSizes) -> Expected {
    Expected {
        events: check::events(&[(0.0, &starting_line(sizes))]),
        total: None,
        value: Some(i64::try_from(sizes.files).unwrap_or(i64::MAX)),
    }
}

/// `Reading 200 files of 1 MiB`.
fn starting_line(sizes: &IoSizes) -> String {
    format!(
        "Reading {} files of {}",
        sizes.files,
        kib_or_mib(sizes.file_size)
    )
}

/// `200 × 1 MiB`.
fn size_words(sizes: &IoSizes) -> String {
    format!("{} × {}", sizes.files, kib_or_mib(sizes.file_size))
}

/// A size in whole KiB or MiB.
fn kib_or_mib(bytes: usize) -> String {
    match bytes {
        bytes if bytes >= 1 << 20 && bytes % (1 << 20) == 0 => format!("{} MiB", bytes >> 20),
        bytes => format!("{} KiB", bytes.div_ceil(1 << 10)),
    }
}

/// Reads one file with `std::fs`, a wait of its thread, and checks its sum.
fn read_blocking(rec: &Recorder, (path, sum): (PathBuf, u64)) -> anyhow::Result<bool> {
    let name = path
        .file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy();
    let contents = rec.blocking_io(format!("read {name}"), || std::fs::read(&path))?;
    Ok(checksum(&contents) == sum)
}

/// What the loop's `main` hands back: each read's result, and how many
/// threads ran while it read (its own among them).
type Found = Rc<RefCell<(Vec<anyhow::Result<bool>>, usize)>>;

/// The async `main`: a task a file, gathered, then the threads that ran.
async fn read_on_loop(event_loop: Handle, ctx: Ctx, files: Vec<(PathBuf, u64)>, found: Found) {
    let before = ThreadTally::now();
    let reads = files.into_iter().map(|(path, sum)| {
        let (event_loop, found) = (event_loop.clone(), Rc::clone(&found));
        Box::pin(async move {
            let read = event_loop.read_file(path.clone()).await;
            let read = read.map(|contents| checksum(&contents) == sum);
            let read = read.map_err(|error| anyhow::anyhow!("{}: {error}", path.display()));
            found.borrow_mut().0.push(read);
        }) as _
    });
    gather(&*event_loop, reads).await;
    // Still inside the loop: the runtime's helper threads are alive (idle).
    let ran = ThreadTally::now().ran_since(&before);
    let here = procfs::current_thread_id();
    // The process's first thread is the harness's, waiting for this run.
    let others = ran
        .iter()
        .filter(|&&tid| tid != procfs::process_id() || tid == here);
    found.borrow_mut().1 = others.count().max(1);
    drop(ctx);
}
