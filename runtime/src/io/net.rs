//! TCP and UDP sockets on the loop: [`TcpListener`], [`TcpStream`],
//! [`UdpSocket`].
//!
//! Read this after `io/wait.rs`. Each type is std's socket in non-blocking
//! mode inside a `Source` (`io/reactor.rs`): an operation is tried at once,
//! and only a `WouldBlock` makes the task wait for the socket's next edge.
//! They look like std's types with `.await` added, as tokio's and
//! async-io's do; [`TcpStream`] also implements futures-io's `AsyncRead`
//! and `AsyncWrite` (for `TcpStream` and `&TcpStream`), so the ecosystem's
//! extension traits and adapters work on it.
//!
//! Dropping a socket, or a pending `accept`, `read` or `write`, takes its
//! waker out of the reactor; dropping a runtime drops its tasks, and with
//! them the sockets they held.
//!
//! # Examples
//!
//! ```
//! use minirt::net::{TcpListener, TcpStream};
//! minirt::block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
//!     let addr = listener.local_addr()?;
//!     let client = minirt::spawn(async move {
//!         let stream = TcpStream::connect(addr).await?;
//!         stream.write_all(b"ping").await
//!     });
//!     let (stream, _) = listener.accept().await?;
//!     let mut buf = [0; 4];
//!     let mut got = 0;
//!     while got < 4 {
//!         got += stream.read(&mut buf[got..]).await?;
//!     }
//!     assert_eq!(&buf, b"ping");
//!     client.await.unwrap()
//! })
//! .unwrap();
//! ```

use super::reactor::Source;
use super::readiness::Direction::{Read, Write};
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_io::{AsyncRead, AsyncWrite};
use rustix::net::{sockopt, AddressFamily, SocketFlags, SocketType};
use std::io::{self, Read as _, Write as _};
use std::net::{Shutdown, SocketAddr};
use std::os::fd::OwnedFd;

/// Connections the kernel queues for `accept`, as mio and tokio ask (std
/// asks 128, which drops handshakes in a burst of connects). The kernel
/// caps it at `net.core.somaxconn`.
const BACKLOG: i32 = 1024;

/// A TCP socket listening for connections, like `std::net::TcpListener`.
///
/// # Examples
///
/// ```
/// let listener = minirt::block_on(async {
///     minirt::net::TcpListener::bind("127.0.0.1:0".parse().unwrap())
/// })
/// .unwrap();
/// assert!(listener.local_addr().unwrap().port() > 0);
/// ```
pub struct TcpListener {
    /// The listening socket.
    source: Source<std::net::TcpListener>,
}

impl TcpListener {
    /// Binds to `addr` and listens, with a backlog of 1,024. Port 0 picks a
    /// free port ([`local_addr`](TcpListener::local_addr) tells which).
    ///
    /// # Errors
    ///
    /// As `bind(2)` and `listen(2)` (the address is in use, say), and
    /// `Unsupported` with no io runtime on this thread (see [`crate::net`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = minirt::Runtime::new();
    /// let listener = minirt::net::TcpListener::bind("127.0.0.1:0".parse().unwrap());
    /// assert!(listener.is_ok());
    /// ```
    pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
        let socket = new_socket(addr, SocketType::STREAM)?;
        sockopt::set_socket_reuseaddr(&socket, true)?;
        rustix::net::bind(&socket, &addr)?;
        rustix::net::listen(&socket, BACKLOG)?;
        let source = Source::new(std::net::TcpListener::from(socket))?;
        Ok(TcpListener { source })
    }

    /// The address it listens on.
    ///
    /// # Errors
    ///
    /// As `getsockname(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = minirt::Runtime::new();
    /// let listener = minirt::net::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// assert!(listener.local_addr().unwrap().ip().is_loopback());
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.source.io().local_addr()
    }

    /// Waits for the next connection; returns it and the peer's address.
    ///
    /// # Errors
    ///
    /// As `accept4(2)`: out of file descriptors, a connection aborted
    /// before it was taken.
    ///
    /// # Examples
    ///
    /// See [the module](crate::net).
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let flags = SocketFlags::NONBLOCK | SocketFlags::CLOEXEC;
        let accept = || Ok(rustix::net::acceptfrom_with(self.source.io(), flags)?);
        let (socket, peer) = self.source.io_op(Read, accept, |_| false).await?;
        let peer = peer.and_then(|peer| SocketAddr::try_from(peer).ok());
        let stream = TcpStream::from_socket(socket)?;
        let peer = peer.map_or_else(|| stream.peer_addr(), Ok)?;
        Ok((stream, peer))
    }
}

/// A TCP connection, like `std::net::TcpStream`, with async reads and
/// writes that take `&self` (so one task can read while another writes).
///
/// # Examples
///
/// See [the module](crate::net).
pub struct TcpStream {
    /// The connected socket.
    source: Source<std::net::TcpStream>,
}

impl TcpStream {
    /// Connects to `addr`. The future owns all it needs (`'static`), so it
    /// can be spawned.
    ///
    /// # Errors
    ///
    /// As `connect(2)`: `ConnectionRefused` when nothing listens there.
    ///
    /// # Examples
    ///
    /// ```
    /// use minirt::net::TcpStream;
    /// let refused = minirt::block_on(async {
    ///     // Port 1 on loopback: nothing listens there.
    ///     TcpStream::connect("127.0.0.1:1".parse().unwrap()).await
    /// });
    /// assert_eq!(refused.err().unwrap().kind(), std::io::ErrorKind::ConnectionRefused);
    /// ```
    pub async fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
        let socket = new_socket(addr, SocketType::STREAM)?;
        match rustix::net::connect(&socket, &addr) {
            Ok(()) | Err(rustix::io::Errno::INPROGRESS) => {}
            Err(error) => return Err(error.into()),
        }
        let stream = TcpStream::from_socket(socket)?;
        // Writable means the handshake is over, one way or the other.
        let connected = || match sockopt::socket_error(stream.source.io())? {
            Err(error) => Err(error.into()),
            Ok(()) => match stream.peer_addr() {
                Err(error) if error.kind() == io::ErrorKind::NotConnected => {
                    Err(io::ErrorKind::WouldBlock.into())
                }
                other => other.map(drop),
            },
        };
        stream.source.io_op(Write, connected, |_| false).await?;
        Ok(stream)
    }

    /// Registers a connected (or connecting) non-blocking socket.
    fn from_socket(socket: OwnedFd) -> io::Result<TcpStream> {
        let source = Source::new(std::net::TcpStream::from(socket))?;
        Ok(TcpStream { source })
    }

    /// Reads into `buf`; returns how many bytes came, 0 at the end of the
    /// stream (the peer shut down or closed).
    ///
    /// # Errors
    ///
    /// As `read(2)`: the connection was reset, say.
    ///
    /// # Examples
    ///
    /// See [the module](crate::net).
    pub async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let len = buf.len();
        let read = || self.source.io().read(buf);
        self.source.io_op(Read, read, short(len)).await
    }

    /// Writes some of `buf`; returns how many bytes were taken.
    ///
    /// # Errors
    ///
    /// As `send(2)`: the peer reset the connection, say.
    ///
    /// # Examples
    ///
    /// See [the module](crate::net).
    pub async fn write(&self, buf: &[u8]) -> io::Result<usize> {
        let write = || self.source.io().write(buf);
        self.source.io_op(Write, write, short(buf.len())).await
    }

    /// Writes all of `buf`.
    ///
    /// # Errors
    ///
    /// As [`write`](TcpStream::write); `WriteZero` if a write takes nothing.
    ///
    /// # Examples
    ///
    /// See [the module](crate::net).
    pub async fn write_all(&self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.write(buf).await? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                written => buf = &buf[written..],
            }
        }
        Ok(())
    }

    /// Shuts down reads, writes or both, as `std::net::TcpStream::shutdown`.
    ///
    /// # Errors
    ///
    /// As `shutdown(2)`: not connected.
    ///
    /// # Examples
    ///
    /// ```
    /// # use minirt::net::{TcpListener, TcpStream};
    /// minirt::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    ///     let client = TcpStream::connect(listener.local_addr()?).await?;
    ///     let (server, _) = listener.accept().await?;
    ///     client.shutdown(std::net::Shutdown::Write)?;
    ///     assert_eq!(server.read(&mut [0; 8]).await?, 0); // the end of the stream
    ///     std::io::Result::Ok(())
    /// })
    /// .unwrap();
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.source.io().shutdown(how)
    }

    /// The address of the other end.
    ///
    /// # Errors
    ///
    /// As `getpeername(2)`: not connected.
    ///
    /// # Examples
    ///
    /// ```
    /// # use minirt::net::{TcpListener, TcpStream};
    /// minirt::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    ///     let client = TcpStream::connect(listener.local_addr()?).await?;
    ///     let (server, _) = listener.accept().await?;
    ///     assert_eq!(client.peer_addr()?, server.local_addr()?);
    ///     std::io::Result::Ok(())
    /// })
    /// .unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.source.io().peer_addr()
    }

    /// The address of this end.
    ///
    /// # Errors
    ///
    /// As `getsockname(2)`.
    ///
    /// # Examples
    ///
    /// See [`peer_addr`](TcpStream::peer_addr).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.source.io().local_addr()
    }

    /// Sends small writes at once (`TCP_NODELAY`) instead of gathering them
    /// while an earlier segment is unacknowledged (Nagle's algorithm).
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use minirt::net::{TcpListener, TcpStream};
    /// minirt::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    ///     let client = TcpStream::connect(listener.local_addr()?).await?;
    ///     client.set_nodelay(true)
    /// })
    /// .unwrap();
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.source.io().set_nodelay(nodelay)
    }
}

impl AsyncRead for &TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let (stream, len) = (*self, buf.len());
        let read = || stream.source.io().read(buf);
        stream.source.poll_io(Read, cx, read, short(len))
    }
}

impl AsyncWrite for &TcpStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let (stream, len) = (*self, buf.len());
        let write = || stream.source.io().write(buf);
        stream.source.poll_io(Write, cx, write, short(len))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(())) // Nothing is buffered here: the kernel has it all.
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.shutdown(Shutdown::Write))
    }
}

impl AsyncRead for TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self).poll_read(cx, buf)
    }
}

impl AsyncWrite for TcpStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut &*self).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut &*self).poll_close(cx)
    }
}

/// A UDP socket, like `std::net::UdpSocket`.
///
/// # Examples
///
/// ```
/// use minirt::net::UdpSocket;
/// minirt::block_on(async {
///     let a = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
///     let b = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
///     a.send_to(b"hi", b.local_addr()?).await?;
///     let mut buf = [0; 8];
///     let (len, from) = b.recv_from(&mut buf).await?;
///     assert_eq!((&buf[..len], from), (&b"hi"[..], a.local_addr()?));
///     std::io::Result::Ok(())
/// })
/// .unwrap();
/// ```
pub struct UdpSocket {
    /// The bound socket.
    source: Source<std::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds to `addr` (port 0 picks a free port).
    ///
    /// # Errors
    ///
    /// As `bind(2)`, and `Unsupported` with no io runtime on this thread.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    pub fn bind(addr: SocketAddr) -> io::Result<UdpSocket> {
        let socket = new_socket(addr, SocketType::DGRAM)?;
        rustix::net::bind(&socket, &addr)?;
        let source = Source::new(std::net::UdpSocket::from(socket))?;
        Ok(UdpSocket { source })
    }

    /// The address it is bound to.
    ///
    /// # Errors
    ///
    /// As `getsockname(2)`.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.source.io().local_addr()
    }

    /// Sends `buf` as one datagram to `target`; returns its length.
    ///
    /// # Errors
    ///
    /// As `sendto(2)`: too long for a datagram, say.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    pub async fn send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        let send = || self.source.io().send_to(buf, target);
        self.source.io_op(Write, send, |_| false).await
    }

    /// Receives one datagram into `buf` (the rest of a longer one is lost);
    /// returns its length and sender.
    ///
    /// # Errors
    ///
    /// As `recvfrom(2)`.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let receive = || self.source.io().recv_from(buf);
        self.source.io_op(Read, receive, |_| false).await
    }
}

/// Whether a stream read or write of `n` of `len` bytes emptied the
/// receive queue or filled the send buffer: then the next call would say
/// `WouldBlock`, and need not be made. (Not for datagrams: each is whole.)
fn short(len: usize) -> impl Fn(&usize) -> bool {
    move |&n| 0 < n && n < len
}

/// A non-blocking, close-on-exec socket of `kind` for `addr`'s family.
fn new_socket(addr: SocketAddr, kind: SocketType) -> io::Result<OwnedFd> {
    let family = match addr {
        SocketAddr::V4(_) => AddressFamily::INET,
        SocketAddr::V6(_) => AddressFamily::INET6,
    };
    let flags = SocketFlags::NONBLOCK | SocketFlags::CLOEXEC;
    Ok(rustix::net::socket_with(family, kind, flags, None)?)
}
