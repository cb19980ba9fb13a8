//! The [`Reactor`]: one epoll instance per thread, the sources registered
//! with it, and [`Source`], a socket plus its registration.
//!
//! Read this after `io/readiness.rs`. A socket is registered once, when it
//! is made, for reads and writes together, edge-triggered; it stays
//! registered until it is dropped. [`Reactor::turn`] is one `epoll_wait`:
//! each event it returns names a source by its token, and that source's
//! [`Readiness`] wakes whoever waits. `io/wait.rs` decides when to turn and
//! for how long.
//!
//! The reactor belongs to the thread, not to a runtime: the loop's clock
//! (`io/wait.rs`) and every source hold it (`Rc`), and the thread keeps
//! only a weak handle to find it again. So it lives while a runtime or a
//! socket on this thread needs it, and its two file descriptors close with
//! the last of them.

use super::readiness::{Direction, Readiness};
use super::wait::Notify;
use alloc::rc::{Rc, Weak};
use alloc::sync::Arc;
use core::cell::{Cell, RefCell};
use core::future::{poll_fn, Future};
use core::hash::{BuildHasherDefault, Hasher};
use core::task::{Context, Poll, Waker};
use core::time::Duration;
use rustix::event::{epoll, Timespec};
use rustix::time::{
    timerfd_create, timerfd_settime, Itimerspec, TimerfdClockId, TimerfdFlags, TimerfdTimerFlags,
};
use std::collections::HashMap;
use std::io;
use std::os::fd::{AsFd, OwnedFd};

/// The token of the eventfd that cross-thread wakes write to.
const NOTIFY_TOKEN: u64 = 0;

/// The token of the timerfd that ends a wait at the next deadline.
const TIMER_TOKEN: u64 = u64::MAX;

/// Events taken from the kernel per turn; more wait for the next turn.
const EVENTS_PER_TURN: usize = 1024;

std::thread_local! {
    /// This thread's reactor, while anything holds it.
    static CURRENT: RefCell<Weak<Reactor>> = const { RefCell::new(Weak::new()) };
    /// Why the last attempt to make this thread's reactor failed (an OS
    /// error code), so a socket opened without one says why.
    static REFUSED: Cell<Option<i32>> = const { Cell::new(None) };
}

/// An epoll instance and the sources registered with it.
///
/// Invariants:
/// - every key of `sources` is the token of one registered, open file
///   descriptor (a [`Source`] removes its entry, and the fd from the epoll
///   set, before the fd closes); tokens are never reused, so an event for a
///   source just dropped finds no entry.
/// - `events` is borrowed only inside [`turn`](Reactor::turn), never while
///   a waker runs.
pub(crate) struct Reactor {
    /// The epoll instance.
    epoll: OwnedFd,
    /// What other threads use to end a wait (its eventfd is registered
    /// under `NOTIFY_TOKEN`).
    pub(crate) notify: Arc<Notify>,
    /// Ends a wait at the next deadline, to the nanosecond: `epoll_wait`
    /// counts in milliseconds, and `epoll_pwait2` (nanoseconds) is missing
    /// from kernels before 5.11 and from valgrind. Registered under
    /// `TIMER_TOKEN`.
    timer: OwnedFd,
    /// Registered sources, by token.
    sources: RefCell<HashMap<u64, Rc<Readiness>, BuildHasherDefault<TokenHasher>>>,
    /// The token the next source gets.
    next_token: Cell<u64>,
    /// The kernel's answer to the last turn, reused every turn.
    events: RefCell<alloc::vec::Vec<epoll::Event>>,
}

impl Reactor {
    /// This thread's reactor, made if there is none.
    ///
    /// # Errors
    ///
    /// If the kernel refuses an epoll instance or an eventfd (out of file
    /// descriptors); the refusal is kept, for sockets opened later to say.
    pub(crate) fn get_or_make() -> io::Result<Rc<Reactor>> {
        let made = Self::current().map_or_else(Self::make, Ok);
        let refused = made.as_ref().err().and_then(io::Error::raw_os_error);
        REFUSED.with(|slot| slot.set(refused));
        made
    }

    /// A new reactor for this thread: epoll, its eventfd and its timerfd.
    fn make() -> io::Result<Rc<Reactor>> {
        let notify = Arc::new(Notify::new()?);
        let epoll = epoll::create(epoll::CreateFlags::CLOEXEC)?;
        let data = epoll::EventData::new_u64(NOTIFY_TOKEN);
        // Level-triggered: the eventfd stays readable until drained.
        epoll::add(&epoll, notify.as_fd(), data, epoll::EventFlags::IN)?;
        let flags = TimerfdFlags::CLOEXEC | TimerfdFlags::NONBLOCK;
        let timer = timerfd_create(TimerfdClockId::Monotonic, flags)?;
        let data = epoll::EventData::new_u64(TIMER_TOKEN);
        epoll::add(&epoll, timer.as_fd(), data, epoll::EventFlags::IN)?;
        let reactor = Rc::new(Reactor {
            epoll,
            notify,
            timer,
            sources: RefCell::new(HashMap::default()),
            next_token: Cell::new(NOTIFY_TOKEN + 1),
            events: RefCell::new(alloc::vec::Vec::with_capacity(EVENTS_PER_TURN)),
        });
        CURRENT.with(|current| *current.borrow_mut() = Rc::downgrade(&reactor));
        Ok(reactor)
    }

    /// This thread's reactor, if a runtime or a socket holds one.
    pub(crate) fn current() -> Option<Rc<Reactor>> {
        CURRENT.with(|current| current.borrow().upgrade())
    }

    /// Whether any source is registered (if none, there is nothing to poll).
    pub(crate) fn has_sources(&self) -> bool {
        !self.sources.borrow().is_empty()
    }

    /// Sets the timer to fire `after` from now (never more than a day: the
    /// loop looks around again anyway). A timer left from an earlier wait
    /// only ends a later one early, which the loop tolerates.
    fn arm_timer(&self, after: Duration) {
        let value = Timespec {
            tv_sec: after.as_secs().min(86_400) as i64,
            tv_nsec: i64::from(after.subsec_nanos()),
        };
        let zero = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        let spec = Itimerspec {
            it_interval: zero,
            it_value: value,
        };
        let armed = timerfd_settime(&self.timer, TimerfdTimerFlags::empty(), &spec);
        armed.expect("minirt: timerfd_settime failed on the reactor's own timer");
    }

    /// Waits for events, at most `timeout` (`None`: until one comes), and
    /// wakes the tasks waiting on them. Returns how many tasks it woke.
    ///
    /// # Panics
    ///
    /// If epoll itself fails, which only a bug in this file can cause.
    pub(crate) fn turn(&self, timeout: Option<Duration>) -> usize {
        // A zero timeout polls; a longer one is the timer's to end, and
        // epoll waits for it (or anything else) with no timeout of its own.
        let timeout = match timeout {
            Some(timeout) if timeout.is_zero() => Some(Timespec {
                tv_sec: 0,
                tv_nsec: 0,
            }),
            Some(timeout) => {
                self.arm_timer(timeout);
                None
            }
            None => None,
        };
        // Taken out while the wakes run, and put back after.
        let mut events = self.events.take();
        events.clear();
        let buffer = rustix::buffer::spare_capacity(&mut events);
        match epoll::wait(&self.epoll, buffer, timeout.as_ref()) {
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(error) => panic!("minirt: epoll_wait failed: {error}"),
        }
        let mut woken = 0;
        for event in &events {
            let token = event.data.u64();
            if token == NOTIFY_TOKEN {
                self.notify.drain();
                continue;
            }
            if token == TIMER_TOKEN {
                // Read to lower it; the loop finds the timers due itself.
                let _ = rustix::io::read(&self.timer, &mut [0; 8]);
                continue;
            }
            let readiness = self.sources.borrow().get(&token).cloned();
            if let Some(readiness) = readiness {
                use epoll::EventFlags as E;
                let flags = event.flags;
                let read_end = flags.intersects(E::HUP | E::RDHUP | E::ERR);
                let write_end = flags.intersects(E::HUP | E::ERR);
                let read = read_end || flags.intersects(E::IN | E::PRI);
                let write = write_end || flags.contains(E::OUT);
                tell(|hooks, _| hooks.io_ready(token, read, write));
                woken += readiness.wake([read, write], [read_end, write_end]);
            }
        }
        *self.events.borrow_mut() = events;
        woken
    }
}

/// Tells the current runtime's layers, if any, with the task being polled:
/// I/O waits and readiness, for a trace.
fn tell(call: impl FnOnce(&dyn crate::Hooks, crate::TaskId)) {
    if let Some(core) = crate::context::current() {
        core.hook(|hooks| call(hooks, core.current.get()));
    }
}

/// A file descriptor registered with this thread's reactor, with its
/// [`Readiness`]; what `minirt::net`'s types are made of.
///
/// Dropping it takes the descriptor out of the epoll set and the table,
/// then closes it: no event can name it afterwards, and the wakers it held
/// are dropped with it.
pub(crate) struct Source<T: AsFd> {
    /// The socket (std's type, in non-blocking mode).
    io: T,
    /// Its readiness, shared with the reactor's table.
    readiness: Rc<Readiness>,
    /// Its key in the table and in epoll's events.
    token: u64,
    /// Where it is registered.
    reactor: Rc<Reactor>,
}

/// The hash of a token, for the table of sources. Tokens are our own
/// counter, not input an attacker chooses, so std's SipHash (built against
/// collision floods) buys nothing and cost 3 % of an echo server's
/// instructions (callgrind); one multiplication by 2^64 / φ (Fibonacci
/// hashing) spreads consecutive tokens over the whole table.
#[derive(Default)]
struct TokenHasher(u64);

impl Hasher for TokenHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(byte)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, token: u64) {
        self.0 = token.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Why a socket cannot be opened on this thread: the kernel refused the
/// runtime its reactor (out of file descriptors, say), or no runtime with
/// the io layer is alive here.
fn no_reactor() -> io::Error {
    if let Some(code) = REFUSED.with(Cell::get) {
        let refused = io::Error::from_raw_os_error(code);
        let why = alloc::format!("minirt could not make this thread's reactor: {refused}");
        return io::Error::new(refused.kind(), why);
    }
    io::Error::new(
        io::ErrorKind::Unsupported,
        "minirt::net needs a runtime with the io layer on this thread \
         (Runtime::new, Runtime::with_virtual_clock or Builder::virtual_clock; \
         a runtime built with Builder::clock has no reactor)",
    )
}

impl<T: AsFd> Source<T> {
    /// Registers `io` (already non-blocking) with this thread's reactor.
    ///
    /// # Errors
    ///
    /// `Unsupported` if no runtime with the io layer is alive on this
    /// thread (one built with `Builder::clock` has none); any error of
    /// `epoll_ctl`.
    pub(crate) fn new(io: T) -> io::Result<Self> {
        let reactor = Reactor::current().ok_or_else(no_reactor)?;
        let token = reactor.next_token.get();
        reactor.next_token.set(token + 1);
        use epoll::EventFlags as E;
        let interest = E::IN | E::OUT | E::RDHUP | E::ET;
        epoll::add(
            &reactor.epoll,
            &io,
            epoll::EventData::new_u64(token),
            interest,
        )?;
        let readiness = Rc::new(Readiness::new());
        reactor
            .sources
            .borrow_mut()
            .insert(token, readiness.clone());
        Ok(Source {
            io,
            readiness,
            token,
            reactor,
        })
    }

    /// The socket itself.
    pub(crate) fn io(&self) -> &T {
        &self.io
    }

    /// Runs `op` until it does not say `WouldBlock`, waiting for readiness
    /// in `direction` between tries: what a `poll_read` is made of.
    ///
    /// `drained` says whether a result shows the socket empty (a short
    /// read) or full (a short write) all the same; the flag is then lowered
    /// at once, as for a `WouldBlock`, which spares the call that would
    /// only have said so (tokio does the same).
    pub(crate) fn poll_io<R>(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut() -> io::Result<R>,
        drained: impl Fn(&R) -> bool,
    ) -> Poll<io::Result<R>> {
        loop {
            let Poll::Ready(tick) = self.readiness.poll_ready(direction, cx) else {
                let read = matches!(direction, Direction::Read);
                tell(|hooks, task| hooks.io_waiting(task, self.token, read));
                return Poll::Pending;
            };
            match op() {
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    self.readiness.clear(direction, tick);
                }
                Ok(done) if drained(&done) => {
                    self.readiness.clear(direction, tick);
                    return Poll::Ready(Ok(done));
                }
                done => return Poll::Ready(done),
            }
        }
    }

    /// As [`poll_io`](Source::poll_io), as a future that, dropped while
    /// pending, takes its waker back out of the source.
    pub(crate) fn io_op<'a, R: 'a>(
        &'a self,
        direction: Direction,
        mut op: impl FnMut() -> io::Result<R> + 'a,
        drained: impl Fn(&R) -> bool + 'a,
    ) -> impl Future<Output = io::Result<R>> + 'a {
        let mut waiter = Forget {
            readiness: &self.readiness,
            direction,
            waker: None,
        };
        poll_fn(move |cx| {
            let polled = self.poll_io(direction, cx, &mut op, &drained);
            waiter.keep(polled.is_pending().then(|| cx.waker().clone()));
            polled
        })
    }
}

impl<T: AsFd> Drop for Source<T> {
    fn drop(&mut self) {
        // It cannot fail for a registered, open descriptor; if it did, the
        // close that follows removes it from the set all the same.
        let _ = epoll::delete(&self.reactor.epoll, &self.io);
        self.reactor.sources.borrow_mut().remove(&self.token);
    }
}

/// Forgets a pending operation's waker when the operation is dropped.
struct Forget<'a> {
    /// The source it waits on.
    readiness: &'a Readiness,
    /// Which way.
    direction: Direction,
    /// The waker left there, if the last poll was `Pending`.
    waker: Option<Waker>,
}

impl Forget<'_> {
    /// Remembers the waker the last poll left in the source, if any.
    fn keep(&mut self, waker: Option<Waker>) {
        self.waker = waker;
    }
}

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        if let Some(waker) = &self.waker {
            self.readiness.forget(self.direction, waker);
        }
    }
}

// Real sockets and epoll: Miri runs no system call (the same window is
// checked on the pure state machine in `io/readiness.rs`, which it runs).
#[cfg(all(test, not(miri)))]
mod tests {
    //! The re-arm window with a real socket and a real epoll: readiness
    //! that arrives after a read said `WouldBlock` and before the source is
    //! marked not ready.

    use super::{Direction::Read, Reactor, Source};
    use alloc::rc::Rc;
    use alloc::sync::Arc;
    use alloc::task::Wake;
    use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    use core::task::{Context, Poll, Waker};
    use core::time::Duration;
    use std::io::{ErrorKind, Read as _, Write as _};
    use std::os::unix::net::UnixStream;

    /// A waker that counts its wakes.
    #[derive(Default)]
    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Relaxed);
        }
    }

    /// A registered, non-blocking socket and its peer.
    fn pair() -> (Rc<Reactor>, Source<UnixStream>, UnixStream) {
        let reactor = Reactor::get_or_make().unwrap();
        let (ours, peer) = UnixStream::pair().unwrap();
        ours.set_nonblocking(true).unwrap();
        (reactor, Source::new(ours).unwrap(), peer)
    }

    #[test]
    fn data_arriving_before_the_clear_wakes_the_waiter() {
        let (reactor, source, mut peer) = pair();
        let count = Arc::new(Count::default());
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        reactor.turn(Some(Duration::ZERO)); // the registration's own edge
        let Poll::Ready(tick) = source.readiness.poll_ready(Read, &mut cx) else {
            panic!()
        };
        let failed = source.io().read(&mut [0; 8]).unwrap_err();
        assert_eq!(failed.kind(), ErrorKind::WouldBlock);
        peer.write_all(b"x").unwrap(); // the window: its edge is now queued
        source.readiness.clear(Read, tick);
        assert!(source.readiness.poll_ready(Read, &mut cx).is_pending());
        // The edge came after the failed read, so epoll still reports it.
        assert_eq!(reactor.turn(Some(Duration::ZERO)), 1);
        assert_eq!(count.0.load(Relaxed), 1);
        let read = source.poll_io(Read, &mut cx, || source.io().read(&mut [0; 8]), |_| false);
        assert!(matches!(read, Poll::Ready(Ok(1))));
    }

    #[test]
    fn data_and_the_end_in_one_edge_leave_the_end_readable() {
        let (reactor, source, mut peer) = pair();
        let waker = Waker::from(Arc::new(Count::default()));
        let mut cx = Context::from_waker(&waker);
        peer.write_all(b"last").unwrap();
        drop(peer);
        reactor.turn(Some(Duration::ZERO)); // one edge: the data and the end
        let short = |&n: &usize| 0 < n && n < 8;
        let read = source.poll_io(Read, &mut cx, || source.io().read(&mut [0; 8]), short);
        assert!(matches!(read, Poll::Ready(Ok(4)))); // short: the flag would drop
        let read = source.poll_io(Read, &mut cx, || source.io().read(&mut [0; 8]), short);
        assert!(matches!(read, Poll::Ready(Ok(0)))); // but the end is still seen
    }

    #[test]
    fn an_edge_delivered_before_the_clear_is_not_wiped_out() {
        let (reactor, source, mut peer) = pair();
        let waker = Waker::from(Arc::new(Count::default()));
        let mut cx = Context::from_waker(&waker);
        reactor.turn(Some(Duration::ZERO));
        let Poll::Ready(tick) = source.readiness.poll_ready(Read, &mut cx) else {
            panic!()
        };
        assert!(source.io().read(&mut [0; 8]).is_err()); // WouldBlock
        peer.write_all(b"y").unwrap();
        reactor.turn(Some(Duration::ZERO)); // delivered: the edge is spent
        source.readiness.clear(Read, tick); // stale tick: the flag stays up
        let read = source.poll_io(Read, &mut cx, || source.io().read(&mut [0; 8]), |_| false);
        assert!(matches!(read, Poll::Ready(Ok(1))));
    }
}
