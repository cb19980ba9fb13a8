//! How part 2's servers take their connections, even when the process is
//! out of file descriptors.
//!
//! Part of `backend/net.rs`. An accept that fails for want of descriptors
//! leaves its connection in the listener's backlog, where the client waits
//! for an answer until its own timeout. In concur the clients are often in
//! the server's process, so the descriptor each of them holds while it
//! waits is one the server lacks: a circular wait. Two remedies break it.
//! The server holds one spare descriptor (on `/dev/null`), as libuv and
//! nginx do: out of descriptors, it frees the spare, takes the waiting
//! connection with it and refuses it, so that its client hears why at once.
//! Another thread can take the freed descriptor first, or the spare may
//! never have opened; then nobody in the backlog can be taken, and after
//! [`RESET_AFTER`] the server closes its listener (the kernel resets every
//! connection waiting there) and listens again at the same address.

use crate::backend::adapter::LocalRuntime;
use std::cell::Cell;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

/// A connection a server took: to serve, or to refuse for the error its
/// accept met first.
pub(super) enum Accepted<S> {
    /// An ordinary connection.
    Serve(S),
    /// One taken with the spare descriptor, after `accept` failed for want
    /// of descriptors.
    Refuse(S, io::Error),
}

/// How long a server waits before it tries again, after an accept that
/// failed for want of resources (with no spare to take the connection
/// with), or a listener it could not open again (hyper's old accept loop
/// waited 1 s).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// How long a server goes on without a descriptor or its spare before it
/// resets the connections in its backlog: long enough for the connections
/// it serves to end and give theirs back, far shorter than a client's
/// timeout.
const RESET_AFTER: Duration = Duration::from_secs(1);

/// A server's listener and its spare descriptor: where its connections
/// come from.
pub(super) struct Acceptor<R: LocalRuntime> {
    /// The runtime, for the backoff's clock and to listen again.
    runtime: R,
    /// The listener, or its address while it could not be opened again.
    listener: Listening<R::Listener>,
    /// The descriptor held back for a refusal.
    spare: Spare,
}

/// Whether a server is listening.
enum Listening<L> {
    /// Yes, on this listener.
    Open(L),
    /// No: it closed its listener to reset the backlog and could not open
    /// another yet (no descriptor for it, or the port taken meanwhile).
    Closed(SocketAddr),
}

impl<R: LocalRuntime> Acceptor<R> {
    /// Takes connections from `listener`. The spare is opened now, with
    /// the listener, not at the first accept: by then the descriptors may
    /// be gone.
    pub(super) fn new(runtime: R, listener: R::Listener) -> Self {
        Acceptor {
            runtime,
            listener: Listening::Open(listener),
            spare: Spare::open(),
        }
    }

    /// The spare descriptor, for the task that refuses a connection to
    /// take back once it has closed it.
    pub(super) fn spare(&self) -> Spare {
        self.spare.clone()
    }

    /// The next connection, retrying failed accepts.
    pub(super) async fn next(&mut self) -> Accepted<R::Stream> {
        let mut starved = Duration::ZERO;
        loop {
            self.spare.reopen();
            let listener = match &self.listener {
                Listening::Open(listener) => listener,
                Listening::Closed(addr) => {
                    let addr = *addr;
                    self.runtime.sleep(ACCEPT_BACKOFF).await;
                    self.listen(addr);
                    continue;
                }
            };
            let error = match R::accept(listener).await {
                Ok(stream) => return Accepted::Serve(stream),
                Err(error) => error,
            };
            if !is_out_of_descriptors(&error) {
                pause_after(&self.runtime, &error).await;
            } else if self.spare.free() {
                // If another thread took the freed descriptor first, this
                // fails too, and the next round finds no spare.
                if let Ok(stream) = R::accept(listener).await {
                    return Accepted::Refuse(stream, error);
                }
            } else if starved < RESET_AFTER {
                self.runtime.sleep(ACCEPT_BACKOFF).await;
                starved += ACCEPT_BACKOFF;
            } else {
                self.reset_backlog();
                starved = Duration::ZERO;
            }
        }
    }

    /// Closes the listener, which resets every connection in its backlog
    /// (each client hears at once that it was refused), and listens again
    /// at its address with the descriptor that frees.
    fn reset_backlog(&mut self) {
        if let Listening::Open(listener) = &self.listener {
            if let Ok(addr) = R::local_addr(listener) {
                self.listener = Listening::Closed(addr);
                self.listen(addr);
            }
        }
    }

    /// Listens at `addr`, or stays closed until the next try.
    fn listen(&mut self, addr: SocketAddr) {
        if let Ok(listener) = self.runtime.bind(addr) {
            self.listener = Listening::Open(listener);
        }
    }
}

/// Whether `error` is `EMFILE` or `ENFILE`: no descriptor for this process,
/// or for the system.
fn is_out_of_descriptors(error: &io::Error) -> bool {
    use rustix::io::Errno;
    let errno = Errno::from_io_error(error);
    errno == Some(Errno::MFILE) || errno == Some(Errno::NFILE)
}

/// What a server does after an accept that failed for a reason other than
/// descriptors. A connection reset before it was taken is that client's
/// problem, which it sees: the server goes on at once. Out of memory, it
/// waits a little first: the connection left in the backlog keeps the
/// listener ready, so retrying at once would spin the loop at full CPU.
async fn pause_after<R: LocalRuntime>(runtime: &R, error: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionReset, Interrupted};
    if !matches!(
        error.kind(),
        ConnectionAborted | ConnectionReset | Interrupted
    ) {
        runtime.sleep(ACCEPT_BACKOFF).await;
    }
}

/// The one file descriptor a server holds back (on `/dev/null`) to take a
/// connection with when it has no other; shared with the task that
/// refuses that connection, which opens it again when done.
#[derive(Clone)]
pub(super) struct Spare(Rc<Cell<Option<std::fs::File>>>);

impl Spare {
    /// The spare, if a descriptor is free for it now.
    fn open() -> Spare {
        let spare = Spare(Rc::default());
        spare.reopen();
        spare
    }

    /// Opens the spare again if it was freed; while descriptors are short
    /// this fails, and the next accept tries again.
    pub(super) fn reopen(&self) {
        let held = self.0.take();
        self.0
            .set(held.or_else(|| std::fs::File::open("/dev/null").ok()));
    }

    /// Closes the spare, so that one accept can succeed: whether there was
    /// one to close.
    fn free(&self) -> bool {
        self.0.take().is_some()
    }
}
