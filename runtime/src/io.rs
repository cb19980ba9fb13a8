//! The io layer (feature `io`, Linux): an epoll reactor as the loop's idle
//! wait, [`net`] (TCP and UDP sockets) and [`fs`] (files, on the blocking
//! pool).
//!
//! Read this after the core. The core never names epoll: it parks through
//! its [`Clock`], and with this layer `Runtime::new()` and
//! `Runtime::with_virtual_clock()` get an [`IoClock`](wait::IoClock) whose
//! park is one wait for the next deadline, a wake from another thread, or a
//! socket becoming ready. [`default_clock`] is the one function the core
//! calls.
//!
//! In reading order:
//!
//! 1. `io/readiness.rs`: one source's readiness and waiters, a state
//!    machine without system calls (unit-tested, Miri can run it).
//! 2. `io/reactor.rs`: the thread's epoll instance, registration, a turn.
//! 3. `io/wait.rs`: the clock, system or virtual, and the eventfd that
//!    ends its wait from another thread.
//! 4. `io/net.rs`: `TcpListener`, `TcpStream`, `UdpSocket`.
//! 5. `io/fs.rs` and `blocking.rs`: files, on the bounded pool of threads.
//!
//! # Edge-triggered, with a readiness tick
//!
//! Each socket is registered once, for both directions, edge-triggered
//! (`EPOLLET`), as tokio does, rather than one-shot and re-armed after each
//! `WouldBlock`, as async-io does. A re-arm is an `epoll_ctl` per wait; an
//! edge costs nothing until it fires. The price is the race the one-shot
//! mode cannot have: an edge delivered between a call's `WouldBlock` and
//! the moment the source is marked "not ready" must not be forgotten, or it
//! never comes again. A tick counting delivered events closes it (see
//! `io/readiness.rs`).
//!
//! # Which runtime has a reactor
//!
//! Every runtime built without [`Builder::clock`](crate::Builder::clock):
//! system time or virtual time. One reactor serves every runtime of a
//! thread, and the sockets made there; a runtime with a custom clock has no
//! reactor, and making a socket where no reactor lives fails with
//! `ErrorKind::Unsupported` rather than hanging. (A socket made beside such
//! a runtime while an io runtime lives on the same thread registers with
//! that one, and is served only while that one waits.) Sockets are `!Send`:
//! they belong to their thread's reactor, as tasks belong to their loop.
//!
//! Shortcuts a production runtime would not take: Linux only; one waiter
//! list per direction, not a slab;
//! no vectored I/O of its own.

use crate::{Clock, SystemClock, VirtualClock};
use alloc::boxed::Box;

pub mod fs;
pub mod net;
mod reactor;
mod readiness;
mod wait;

/// The clock of a runtime built without a custom one: this thread's
/// reactor on system or virtual time. If the kernel refuses a reactor (out
/// of file descriptors), the plain clock, and sockets then fail to open.
pub(crate) fn default_clock(virtual_time: bool) -> Box<dyn Clock> {
    match reactor::Reactor::get_or_make() {
        Ok(reactor) => Box::new(wait::IoClock::new(reactor, virtual_time)),
        Err(_) if virtual_time => Box::new(VirtualClock::new()),
        Err(_) => Box::new(SystemClock),
    }
}
