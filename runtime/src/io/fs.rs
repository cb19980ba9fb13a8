//! Files: [`read()`] and [`write()`], on the blocking pool.
//!
//! Read this after `io/net.rs`. Linux has no readiness for regular files:
//! epoll refuses them, and a read of a file that is not in the page cache
//! blocks the thread whatever the flags say. So these run the std call on
//! the bounded pool of `spawn_blocking` threads (`blocking.rs`), as tokio's
//! and async-fs's do, and the loop goes on meanwhile. (io_uring would give
//! real asynchronous file I/O; that is a different reactor.)

use std::borrow::ToOwned;
use std::io;
use std::path::Path;
use std::string::ToString;
use std::vec::Vec;

/// Reads the whole file at `path`, like `std::fs::read`, off the loop.
///
/// # Errors
///
/// As `std::fs::read`: `NotFound`, `PermissionDenied`, ...
///
/// # Panics
///
/// Outside a runtime.
///
/// # Examples
///
/// ```
/// let missing = minirt::block_on(minirt::fs::read("/no/such/file"));
/// assert_eq!(missing.unwrap_err().kind(), std::io::ErrorKind::NotFound);
/// ```
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    unblock(move || std::fs::read(path)).await
}

/// Writes `contents` to the file at `path`, creating or truncating it,
/// like `std::fs::write`, off the loop.
///
/// # Errors
///
/// As `std::fs::write`.
///
/// # Panics
///
/// Outside a runtime.
///
/// # Examples
///
/// ```
/// let path = std::env::temp_dir().join(format!("minirt-fs-doc-{}", std::process::id()));
/// minirt::block_on(async {
///     minirt::fs::write(&path, b"hello").await?;
///     assert_eq!(minirt::fs::read(&path).await?, b"hello");
///     std::fs::remove_file(&path)
/// })
/// .unwrap();
/// ```
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    let contents = contents.as_ref().to_owned();
    unblock(move || std::fs::write(path, contents)).await
}

/// Runs `call` on the blocking pool; a panic there comes back as an error.
async fn unblock<T: Send + 'static>(
    call: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    crate::spawn_blocking(call)
        .await
        .unwrap_or_else(|error| Err(io::Error::other(error.to_string())))
}
