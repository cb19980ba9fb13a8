//! The files the user names (`--json`, `--trace`, `--svg`, the bench
//! charts), all written by one helper; what is printed to the terminal is
//! in [`console`].
//!
//! [`check`] runs before the long work and refuses, in one line naming the
//! user's path, a path that could not be written: no file name, a missing
//! directory, something that exists and is not a regular file (renaming
//! over `/dev/null` as root would replace the device), a name too long, a
//! directory that takes no new file. Only the file system knows the last
//! two, so it asks it, with a probe file it removes at once.
//!
//! [`write()`] then writes a temporary file in the destination's directory
//! (so the rename cannot cross file systems), syncs it, and renames it into
//! place; on every failure (a full disk, say) it removes the temporary file,
//! so that a failed write leaves neither half a file nor a stray one.

pub mod console;

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::ffi::{OsStrExt as _, OsStringExt as _};
use std::os::unix::fs::FileTypeExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Checks, before any work, that `path` (given with `flag`) can be written.
///
/// # Errors
///
/// One line naming `flag` and `path`, saying what is wrong.
///
/// # Examples
///
/// ```
/// use concur::output;
/// use std::path::Path;
/// assert!(output::check("--json", &std::env::temp_dir().join("new.json")).is_ok());
/// let refused = output::check("--json", Path::new("/dev/null")).unwrap_err();
/// assert!(refused.starts_with("--json /dev/null is not a regular file"));
/// ```
pub fn check(flag: &str, path: &Path) -> Result<(), String> {
    let named = |problem: String| format!("{flag} {} {problem}", path.display());
    let destination = destination(path).map_err(named)?;
    let probe = create_temporary(&destination, "probe").map_err(|error| {
        let reason = reason(&error);
        named(format!("cannot be written: {reason}"))
    })?;
    // The probe is empty and ours; failing to remove it is harmless.
    let _ = fs::remove_file(probe.0);
    Ok(())
}

/// Writes `contents` to `path` atomically: all of it, or nothing (and no
/// temporary file) if anything fails.
///
/// # Errors
///
/// If `path` is refused as by [`check`], or the write fails; the message
/// names `path`, never the temporary file.
pub fn write(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let shown = path.display();
    let destination = destination(path).map_err(|problem| anyhow::anyhow!("{shown} {problem}"))?;
    replace(&destination, contents)
        .map_err(|error| anyhow::anyhow!("writing {shown}: {}", reason(&error)))?;
    sync_directory(&destination);
    Ok(())
}

/// Puts `contents` at `destination` through a synced temporary file beside
/// it, renamed into place; if any step fails, the temporary file is removed.
fn replace(destination: &Path, contents: &[u8]) -> io::Result<()> {
    let (temporary, file) = create_temporary(destination, "tmp")?;
    let placed = fill(file, contents).and_then(|()| fs::rename(&temporary, destination));
    if placed.is_err() {
        // The error that matters is the one above; a temporary file we
        // cannot remove either is one the user would have to.
        let _ = fs::remove_file(&temporary);
    }
    placed
}

/// Where writing `path` puts the file: `path`, or the file a symbolic link
/// there points to (so that the link stays a link).
///
/// # Errors
///
/// Why `path` cannot be an output file, as the words after the path.
fn destination(path: &Path) -> Result<PathBuf, String> {
    if path.file_name().is_none() {
        return Err("is not a file name".to_string());
    }
    match fs::metadata(path) {
        Ok(found) if found.is_dir() => Err("is not a file name".to_string()),
        Ok(found) if !found.is_file() => Err(format!(
            "is not a regular file (it is {}); name a regular file or a new one",
            kind(found.file_type())
        )),
        Ok(_) => fs::canonicalize(path).map_err(|error| cannot(&error)),
        Err(error) if missing(&error) => {
            let parent = match path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent,
                _ => Path::new("."),
            };
            if parent.is_dir() {
                Ok(path.to_path_buf())
            } else {
                Err("is in a directory that does not exist".to_string())
            }
        }
        Err(error) => Err(cannot(&error)),
    }
}

/// Whether `error` says the path, or a directory on it, does not exist.
fn missing(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

/// "cannot be written: ..." with the reason of `error`.
fn cannot(error: &io::Error) -> String {
    format!("cannot be written: {}", reason(error))
}

/// What a file that is neither a regular file nor a directory is, in words.
fn kind(file_type: fs::FileType) -> &'static str {
    if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_fifo() {
        "a named pipe"
    } else if file_type.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

/// The words of an I/O error without the `(os error N)` that follows them.
fn reason(error: &io::Error) -> String {
    let text = error.to_string();
    text.split(" (os error").next().unwrap_or(&text).to_string()
}

/// How much of the destination's name a temporary name keeps: enough to
/// tell whose it is, short enough that a name of 255 bytes still fits.
const NAME_KEPT: usize = 64;

/// Creates a new, empty temporary file beside `destination`, named
/// `.<name>.<pid>.<count>.<suffix>` so that no two writes (in this process
/// or another) share one, and a leftover (after SIGKILL) says whose it was.
fn create_temporary(destination: &Path, suffix: &str) -> io::Result<(PathBuf, File)> {
    /// Makes each name of this process new.
    static COUNT: AtomicU32 = AtomicU32::new(0);
    let name = destination.file_name().unwrap_or_default().as_bytes();
    let mut temporary = b".".to_vec();
    temporary.extend_from_slice(&name[..name.len().min(NAME_KEPT)]);
    loop {
        let count = COUNT.fetch_add(1, Ordering::Relaxed);
        let mut this = temporary.clone();
        this.extend(format!(".{}.{count}.{suffix}", std::process::id()).bytes());
        let path = destination.with_file_name(OsString::from_vec(this));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((path, file)),
            // Left by an earlier process with our pid: take the next count.
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(error),
        }
    }
}

/// Writes `contents` into `file` and syncs it, so that the rename that
/// follows never puts an empty or partial file in place after a crash.
fn fill(mut file: File, contents: &[u8]) -> io::Result<()> {
    file.write_all(contents)?;
    file.sync_all()
}

/// Syncs the directory of `destination`, which makes the rename itself
/// durable. Best effort: the file is complete and in place either way, and
/// some file systems refuse to sync a directory.
fn sync_directory(destination: &Path) {
    if let Some(directory) = destination.parent() {
        let directory = if directory.as_os_str().is_empty() {
            Path::new(".")
        } else {
            directory
        };
        let _ = File::open(directory).and_then(|directory| directory.sync_all());
    }
}

#[cfg(test)]
mod tests {
    use super::{check, replace, write};
    use std::path::PathBuf;

    /// A fresh directory for one test.
    fn directory(name: &str) -> PathBuf {
        let path =
            std::env::temp_dir().join(format!("concur-output-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        path
    }

    /// The names in `directory`, sorted.
    fn names(directory: &PathBuf) -> Vec<String> {
        let entries = std::fs::read_dir(directory).unwrap();
        let mut names: Vec<String> = entries
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    /// A new name and a regular file are written; nothing else is left.
    #[test]
    fn writes_new_and_existing_files_and_leaves_nothing_else() {
        let directory = directory("write");
        let path = directory.join("out.json");
        check("--json", &path).unwrap();
        write(&path, b"one").unwrap();
        write(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(names(&directory), ["out.json"]);
        std::fs::remove_dir_all(directory).unwrap();
    }

    /// A rename that fails (onto a directory that is not empty, which
    /// `write` itself refuses up front) leaves no temporary file behind.
    #[test]
    fn a_failed_rename_leaves_no_temporary_file() {
        let directory = directory("failed-rename");
        let occupied = directory.join("out.json");
        std::fs::create_dir(&occupied).unwrap();
        std::fs::write(occupied.join("inside"), "kept").unwrap();
        assert!(replace(&occupied, b"new").is_err());
        assert_eq!(names(&directory), ["out.json"]);
        assert_eq!(std::fs::read(occupied.join("inside")).unwrap(), b"kept");
        std::fs::remove_dir_all(directory).unwrap();
    }

    /// Through a symbolic link, the file it points to is written and the
    /// link stays a link.
    #[test]
    fn writes_through_a_symbolic_link() {
        let directory = directory("link");
        let (target, link) = (directory.join("target.json"), directory.join("link.json"));
        std::fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write(&link, b"new").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(names(&directory), ["link.json", "target.json"]);
        std::fs::remove_dir_all(directory).unwrap();
    }

    /// Refusals name the flag and the user's path.
    #[test]
    fn refuses_what_cannot_be_an_output_file() {
        let directory = directory("refuse");
        let refused = |path: PathBuf| check("--svg", &path).unwrap_err();
        let here = directory.display();
        assert_eq!(
            refused(directory.clone()),
            format!("--svg {here} is not a file name")
        );
        let missing = directory.join("missing/out.svg");
        assert!(refused(missing).ends_with("is in a directory that does not exist"));
        let long = directory.join("x".repeat(300));
        assert!(refused(long).ends_with("cannot be written: File name too long"));
        // A named pipe, not /dev/null: were the refusal broken, this test
        // would replace what it writes to.
        let fifo = directory.join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        let error = write(&fifo, b"").unwrap_err().to_string();
        let line = format!(
            "{} is not a regular file (it is a named pipe)",
            fifo.display()
        );
        assert!(error.starts_with(&line), "{error}");
        assert_eq!(names(&directory), ["fifo"]);
        std::fs::remove_dir_all(directory).unwrap();
    }
}
