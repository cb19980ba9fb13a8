//! Suite 9, `files`: whole-file reads of small (4 KiB) and large (1 MiB)
//! files from a warm page cache, on every backend that reads files, and
//! the chunked-read pitfall.
//!
//! Linux has no readiness for regular files, so every async runtime reads
//! them on helper threads: a read is a hop to a pool thread and back. This
//! suite prices that hop against a plain `std::fs::read` on the calling
//! thread (`sync`), a thread per file (`threads`) and a small fixed pool
//! (`pool`). `tokio-chunked` is the pitfall: a `tokio::fs::File` read 8 KiB
//! at a time, which pays the hop once per chunk (128 hops for 1 MiB)
//! instead of once per file, against `tokio` reading with one
//! `tokio::fs::read`.
//!
//! Each child writes its files into a fresh temporary directory (removed
//! when it ends, whatever happens), reads every one once and checks every
//! byte (which also warms the page cache), then times
//! [`ROUNDS`] rounds. Each round reads every file once, all at the same
//! time where the backend can (a task or a thread per file, the pool's
//! workers), and checks each length and the bytes at both ends: a full
//! check would cost as much as the read and hide what is measured.

use super::measure::{metrics, ms, Metrics, Stopwatch};
use super::rt::{drive, Job};
use crate::backend::adapter::LocalRuntime;
use crate::backend::tokio::TokioLoop;
use anyhow::{bail, Context, Result};
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;

/// The backends of the suite, in the order the table shows them.
pub(crate) const FILES_BACKENDS: [&str; 7] = [
    "sync",
    "threads",
    "pool",
    "minirt",
    "smol",
    "tokio",
    "tokio-chunked",
];

/// The file sizes (`n`, in bytes) the suite reads by default.
pub(crate) const FILE_SIZES: [usize; 2] = [4 * 1024, 1024 * 1024];

/// The largest file size `--n` accepts: 64 MiB, so that one round (at
/// least [`MIN_FILES`] files) stays within a gigabyte of disk and memory.
pub(crate) const MAX_FILE_SIZE: usize = 64 * 1024 * 1024;

/// The timed rounds; each reads every file once.
pub(crate) const ROUNDS: usize = 5;

/// The bytes one round reads, spread over as many files as that makes
/// (between [`MIN_FILES`] and [`MAX_FILES`]): 64 MiB is enough to take
/// tens of milliseconds a round, not so much that the suite takes long.
const ROUND_BYTES: usize = 64 * 1024 * 1024;

/// At least this many files, however large: a round must have some
/// concurrency to offer.
const MIN_FILES: usize = 8;

/// At most this many files, however small: the threads backend starts a
/// thread per file.
const MAX_FILES: usize = 1_000;

/// The `pool` backend's workers: a fixed pool, as a server would size it,
/// twice the cores of the machine these figures come from.
const POOL_WORKERS: usize = 4;

/// The pitfall's chunk: a typical `BufReader`-sized read.
const CHUNK: usize = 8 * 1024;

/// One measurement: `backend` reading files of `size` bytes.
///
/// # Errors
///
/// An unknown backend, files that cannot be written or read, or bytes that
/// come back wrong.
pub(crate) fn measure(backend: &str, size: usize) -> Result<Metrics> {
    if !FILES_BACKENDS.contains(&backend) {
        bail!("suite files has no backend `{backend}`");
    }
    let count = (ROUND_BYTES / size.max(1)).clamp(MIN_FILES, MAX_FILES);
    let dir = TempFiles::write(count, size)?;
    // The untimed first round: every byte checked, and the cache warmed.
    for (index, path) in dir.paths.iter().enumerate() {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        if bytes != contents(index, size) {
            bail!("{} came back wrong", path.display());
        }
    }
    let watch = Stopwatch::start();
    for _ in 0..ROUNDS {
        let read = round(backend, &dir.paths)?;
        check(&read, size)?;
    }
    let (wall, cpu) = (watch.wall(), watch.cpu());
    let reads = (count * ROUNDS) as f64;
    Ok(metrics([
        ("us_per_file", wall.as_secs_f64() * 1e6 / reads),
        (
            "mib_per_s",
            reads * size as f64 / (1024.0 * 1024.0) / wall.as_secs_f64(),
        ),
        ("cpu_ms", ms(cpu)),
        ("files", count as f64),
    ]))
}

/// The bytes of file `index`: a pattern that differs per file and per
/// position, so that a file read in place of another, or a chunk out of
/// place, shows.
pub(crate) fn contents(index: usize, size: usize) -> Vec<u8> {
    (0..size)
        .map(|at| (at.wrapping_mul(31) ^ index.wrapping_mul(131)) as u8)
        .collect()
}

/// Checks the length and both ends of each file a round read.
fn check(read: &[(usize, Vec<u8>)], size: usize) -> Result<()> {
    for (index, bytes) in read {
        let expected = |at: usize| (at.wrapping_mul(31) ^ index.wrapping_mul(131)) as u8;
        let ends_right = bytes.first() == Some(&expected(0))
            && bytes.last() == Some(&expected(size.saturating_sub(1)));
        if bytes.len() != size || !ends_right {
            bail!("file {index} came back wrong ({} bytes)", bytes.len());
        }
    }
    Ok(())
}

/// Reads every file of `paths` once on `backend`: each file's index and bytes.
fn round(backend: &str, paths: &[PathBuf]) -> Result<Vec<(usize, Vec<u8>)>> {
    let indexed = || paths.iter().cloned().enumerate();
    let read: io::Result<Vec<(usize, Vec<u8>)>> = match backend {
        "sync" => indexed()
            .map(|(index, path)| Ok((index, std::fs::read(path)?)))
            .collect(),
        "threads" => {
            let handles: Vec<_> = indexed()
                .map(|(index, path)| thread::spawn(move || Ok((index, std::fs::read(path)?))))
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().expect("a reading thread never panics"))
                .collect()
        }
        "pool" => pool_round(paths),
        "tokio-chunked" => TokioLoop::block_on_uncounted(|rt| read_all(rt, paths, chunked))?,
        runtime => drive(runtime, Whole(paths.to_vec()))
            .with_context(|| format!("suite files has no backend `{runtime}`"))?,
    };
    read.context("reading the files")
}

/// A round on [`POOL_WORKERS`] threads that take the files from one queue.
fn pool_round(paths: &[PathBuf]) -> io::Result<Vec<(usize, Vec<u8>)>> {
    let (jobs, queue) = mpsc::channel();
    for job in paths.iter().cloned().enumerate() {
        jobs.send(job).expect("the queue is open");
    }
    drop(jobs);
    let queue = Arc::new(Mutex::new(queue));
    let workers: Vec<_> = (0..POOL_WORKERS)
        .map(|_| {
            let queue = Arc::clone(&queue);
            thread::spawn(move || {
                let mut read = Vec::new();
                // The lock is held only to take the next job, not to read it.
                let next = || queue.lock().expect("no worker panics").recv().ok();
                while let Some((index, path)) = next() {
                    read.push((index, std::fs::read(path)?));
                }
                Ok::<_, io::Error>(read)
            })
        })
        .collect();
    let mut all = Vec::with_capacity(paths.len());
    for worker in workers {
        all.extend(worker.join().expect("a pool worker never panics")?);
    }
    Ok(all)
}

/// A round on an async runtime, each file read by its `read_file`.
struct Whole(Vec<PathBuf>);

impl Job for Whole {
    type Output = io::Result<Vec<(usize, Vec<u8>)>>;

    async fn run<R: LocalRuntime>(self, rt: R) -> Self::Output {
        let reader = rt.clone();
        let read = move |path| {
            // Owned by the task: `read_file`'s future borrows its runtime.
            let rt = reader.clone();
            async move { rt.read_file(path).await }
        };
        read_all(rt, &self.0, read).await
    }
}

/// Reads every file of `paths` with `read`, a task per file, all at once.
async fn read_all<R, F>(
    rt: R,
    paths: &[PathBuf],
    read: impl Fn(PathBuf) -> F,
) -> io::Result<Vec<(usize, Vec<u8>)>>
where
    R: LocalRuntime,
    F: std::future::Future<Output = io::Result<Vec<u8>>> + 'static,
{
    let tasks: Vec<_> = paths
        .iter()
        .cloned()
        .map(|path| rt.spawn(read(path)))
        .collect();
    let mut all = Vec::with_capacity(tasks.len());
    for (index, task) in tasks.into_iter().enumerate() {
        all.push((index, task.await?));
    }
    Ok(all)
}

/// The pitfall: a `tokio::fs::File` read [`CHUNK`] bytes at a time, each
/// read a trip to tokio's blocking pool and back.
async fn chunked(path: PathBuf) -> io::Result<Vec<u8>> {
    use tokio::io::AsyncReadExt as _;
    let mut file = tokio::fs::File::open(path).await?;
    let mut all = Vec::new();
    let mut chunk = vec![0; CHUNK];
    loop {
        match file.read(&mut chunk).await? {
            0 => return Ok(all),
            read => all.extend_from_slice(&chunk[..read]),
        }
    }
}

/// The suite's files in a temporary directory of their own, removed with
/// everything in it when dropped (on every path out of [`measure`]).
struct TempFiles {
    /// The directory.
    dir: PathBuf,
    /// The files, by index.
    paths: Vec<PathBuf>,
}

impl TempFiles {
    /// Writes `count` files of `size` bytes into a fresh directory.
    fn write(count: usize, size: usize) -> Result<TempFiles> {
        // The process id and a counter: two in one process (tests) differ.
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let number = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("{}{number}", directory_prefix(std::process::id()));
        let dir = std::env::temp_dir().join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
        // Owned from here: an error below still removes the directory.
        let mut files = TempFiles {
            dir,
            paths: Vec::with_capacity(count),
        };
        for index in 0..count {
            let path = files.dir.join(format!("{index}.bin"));
            std::fs::write(&path, contents(index, size))
                .with_context(|| format!("writing {}", path.display()))?;
            files.paths.push(path);
        }
        Ok(files)
    }
}

/// The start of the names of the directories process `pid` writes.
fn directory_prefix(pid: u32) -> String {
    format!("concur-files-suite-{pid}-")
}

/// Removes what a child (process `pid`) of the files suite left in the
/// temporary directory: nothing, unless it was killed before its files'
/// destructor ran (a child past its time limit, a crash).
pub(crate) fn remove_left_by(pid: u32) {
    let prefix = directory_prefix(pid);
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for TempFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::{contents, measure, round, TempFiles, FILES_BACKENDS};

    /// Every backend reads the right bytes, and the files go away after.
    #[test]
    fn every_backend_reads_the_right_bytes() {
        let files = TempFiles::write(5, 20_000).unwrap();
        let dir = files.dir.clone();
        for backend in FILES_BACKENDS {
            let mut read = round(backend, &files.paths).unwrap();
            read.sort_by_key(|(index, _)| *index);
            assert_eq!(read.len(), 5, "{backend}");
            for (index, bytes) in read {
                assert!(bytes == contents(index, 20_000), "{backend}: file {index}");
            }
        }
        drop(files);
        assert!(!dir.exists(), "the temporary directory is removed");
        let metrics = measure("tokio-chunked", 4096).unwrap();
        assert!(metrics["us_per_file"] > 0.0 && metrics["mib_per_s"] > 0.0);
        assert!(measure("nope", 4096).is_err());
    }
}
