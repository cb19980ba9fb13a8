//! Part 2, P2: read twenty 1 MiB files, each in a task, and check each one.
//! The loop cannot wait for a regular file (Linux gives no readiness for
//! them), so the runtime reads them on helper threads underneath, and the
//! example says how many threads the process has while it reads.
//!
//! ```text
//! cargo run --example 13_file_reads                  # minirt::fs
//! cargo run --example 13_file_reads --features smol  # async-fs
//! cargo run --example 13_file_reads --features tokio # tokio::fs
//! ```

use concur::executor::{self, gather, read_file};
use concur::log::info;
use std::path::PathBuf;

/// How many files, and how long each is.
const FILES: usize = 20;
const SIZE: usize = 1 << 20;

/// The bytes of file `k`: each file its own.
fn contents(k: usize) -> Vec<u8> {
    (0..SIZE).map(|i| (i * 31 + k) as u8).collect()
}

/// Reads file `k` and checks it.
async fn read(path: PathBuf, k: usize) {
    let bytes = read_file(&path).await.expect("the file was just written");
    assert!(bytes == contents(k), "file {k} read back wrong");
    info(format!("Read file {k}: {} bytes", bytes.len()));
}

/// The `main` coroutine.
async fn main_task(directory: PathBuf) {
    info(format!("Reading {FILES} files"));
    gather((1..=FILES).map(|k| read(directory.join(format!("{k}.bin")), k))).await;
    let threads = std::fs::read_dir("/proc/self/task").map_or(0, Iterator::count);
    info(format!(
        "Done; the process has {threads} threads: the loop's and its file helpers"
    ));
}

fn main() -> std::io::Result<()> {
    let directory = std::env::temp_dir().join(format!("concur-13-{}", std::process::id()));
    std::fs::create_dir_all(&directory)?;
    for k in 1..=FILES {
        std::fs::write(directory.join(format!("{k}.bin")), contents(k))?;
    }
    eprintln!("(on {})", executor::NAME);
    executor::run(main_task(directory.clone()));
    std::fs::remove_dir_all(&directory)
}
