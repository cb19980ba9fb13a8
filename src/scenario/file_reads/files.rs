//! The files `file-reads` reads: generated in a temporary directory of
//! their own, each with its checksum, and removed when dropped.
//!
//! Part of `scenario/file_reads.rs`. The contents are pseudo-random (a
//! xorshift from the file's number), so that no two files are alike and a
//! read of the wrong file, or a short one, fails its checksum.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Generated files, removed with their directory when dropped.
pub struct FileSet {
    /// The directory that holds them, and nothing else.
    directory: PathBuf,
    /// Each file's path and checksum.
    pub files: Vec<(PathBuf, u64)>,
}

impl FileSet {
    /// Writes `count` files of `size` bytes each in a new directory under
    /// the system's temporary one.
    ///
    /// # Errors
    ///
    /// If the directory or a file cannot be written (the disk is full).
    pub fn generate(count: usize, size: usize) -> io::Result<FileSet> {
        /// Tells apart the sets of one process.
        static SETS: AtomicUsize = AtomicUsize::new(0);
        let number = SETS.fetch_add(1, Ordering::Relaxed);
        let name = format!("concur-file-reads-{}-{number}", std::process::id());
        let directory = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&directory)?;
        // From here on, a failure still removes what was written.
        let mut set = FileSet {
            directory,
            files: Vec::with_capacity(count),
        };
        for k in 1..=count {
            let contents = contents(k as u64, size);
            let path = set.directory.join(format!("file-{k:04}.bin"));
            std::fs::write(&path, &contents)?;
            set.files.push((path, checksum(&contents)));
        }
        Ok(set)
    }

    /// The directory the files are in.
    pub fn directory(&self) -> &Path {
        &self.directory
    }
}

impl Drop for FileSet {
    fn drop(&mut self) {
        // Best effort: a file the OS will not remove is left in /tmp.
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}

/// `size` pseudo-random bytes, the same for the same `seed`.
fn contents(seed: u64, size: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut bytes = Vec::with_capacity(size + 8);
    while bytes.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(size);
    bytes
}

/// A 64-bit checksum of `bytes`, eight at a time (fast enough that the
/// reads, not the sums, are what a run measures).
///
/// # Examples
///
/// ```
/// use concur::scenario::file_reads::files::checksum;
/// assert_ne!(checksum(b"ab"), checksum(b"ba"));
/// ```
pub fn checksum(bytes: &[u8]) -> u64 {
    let mut sum = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        sum = (sum.rotate_left(5) ^ word).wrapping_mul(0x100_0000_01B3);
    }
    for &byte in chunks.remainder() {
        sum = (sum.rotate_left(5) ^ u64::from(byte)).wrapping_mul(0x100_0000_01B3);
    }
    sum
}
