//! minirt::net on loopback: echo at scale, big transfers, closes and
//! refusals, bursts, wakes from other threads, dropped futures, UDP, the
//! futures-io traits, virtual time with sockets, and the deadlock proof
//! staying silent for a task waiting on a socket.

use futures_lite::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use minirt::net::{TcpListener, TcpStream, UdpSocket};
use minirt::Runtime;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// A free loopback address to bind to.
fn any_port() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// Echoes every connection of `listener`, each in its own task, for ever.
async fn echo_server(listener: TcpListener) {
    loop {
        let (stream, _) = listener.accept().await.unwrap();
        drop(minirt::spawn(async move {
            let mut buf = vec![0; 64 * 1024];
            loop {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => stream.write_all(&buf[..n]).await.unwrap(),
                }
            }
        }));
    }
}

/// Binds a listener and starts an echo server on it; returns its address.
fn start_echo_server() -> SocketAddr {
    let listener = TcpListener::bind(any_port()).unwrap();
    let addr = listener.local_addr().unwrap();
    drop(minirt::spawn(echo_server(listener)));
    addr
}

#[test]
fn an_echo_server_serves_1000_concurrent_clients_on_one_loop() {
    minirt::block_on(async {
        let addr = start_echo_server();
        let clients = (0..1000u32).map(|n| {
            minirt::spawn(async move {
                let stream = TcpStream::connect(addr).await?;
                let message = [n.to_le_bytes(); 16].concat(); // 64 bytes
                stream.write_all(&message).await?;
                let mut echoed = vec![0; 64];
                (&stream).read_exact(&mut echoed).await?;
                assert_eq!(echoed, message);
                io::Result::Ok(())
            })
        });
        for client in minirt::join_all(clients).await {
            client.unwrap().unwrap();
        }
    });
}

#[test]
fn sixteen_mib_go_through_one_connection_with_reads_and_writes_interleaved() {
    const TOTAL: usize = 16 << 20;
    minirt::block_on(async {
        let addr = start_echo_server();
        let stream = Rc::new(TcpStream::connect(addr).await.unwrap());
        let writer = stream.clone();
        let write = minirt::spawn(async move {
            let pattern: Vec<u8> = (0..TOTAL).map(|i| (i % 251) as u8).collect();
            for chunk in pattern.chunks(100_000) {
                writer.write_all(chunk).await.unwrap();
            }
        });
        let mut buf = vec![0; 50_000];
        let mut got = 0;
        while got < TOTAL {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "the stream ended after {got} bytes");
            for (offset, byte) in buf[..n].iter().enumerate() {
                assert_eq!(*byte, ((got + offset) % 251) as u8);
            }
            got += n;
        }
        write.await.unwrap();
    });
}

#[test]
fn a_peer_that_closes_gives_a_read_of_zero() {
    minirt::block_on(async {
        let listener = TcpListener::bind(any_port()).unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        server.write_all(b"bye").await.unwrap();
        drop(server);
        let mut all = Vec::new();
        (&client).read_to_end(&mut all).await.unwrap();
        assert_eq!(all, b"bye");
        assert_eq!(client.read(&mut [0; 16]).await.unwrap(), 0);
    });
}

#[test]
fn connection_refused_is_an_io_error() {
    let addr = {
        // Outside block_on, but with a runtime (and so a reactor) alive.
        let _rt = Runtime::new();
        let listener = TcpListener::bind(any_port()).unwrap();
        listener.local_addr().unwrap() // closed when the listener drops
    };
    let refused = minirt::block_on(TcpStream::connect(addr));
    assert_eq!(
        refused.err().unwrap().kind(),
        io::ErrorKind::ConnectionRefused
    );
}

#[test]
fn a_burst_of_2000_connects_loses_none() {
    const CLIENTS: usize = 2000;
    let start = Instant::now();
    minirt::block_on(async {
        let listener = TcpListener::bind(any_port()).unwrap();
        let addr = listener.local_addr().unwrap();
        let server = minirt::spawn(async move {
            let mut accepted = Vec::with_capacity(CLIENTS);
            while accepted.len() < CLIENTS {
                let (stream, _) = listener.accept().await.unwrap();
                stream.write_all(b"!").await.unwrap();
                accepted.push(stream);
            }
            accepted.len()
        });
        let clients = (0..CLIENTS).map(|_| {
            minirt::spawn(async move {
                let stream = TcpStream::connect(addr).await?;
                let mut one = [0];
                (&stream).read_exact(&mut one).await?;
                io::Result::Ok(stream) // held until every client is in
            })
        });
        let connected = minirt::join_all(clients).await;
        assert!(connected.iter().all(|client| matches!(client, Ok(Ok(_)))));
        assert_eq!(server.await.unwrap(), CLIENTS);
    });
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn data_written_from_another_thread_wakes_a_parked_read() {
    minirt::block_on(async {
        let listener = TcpListener::bind(any_port()).unwrap();
        let addr = listener.local_addr().unwrap();
        let start = Instant::now();
        let peer = std::thread::spawn(move || {
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            std::thread::sleep(Duration::from_millis(50));
            stream.write_all(b"from afar").unwrap();
            let mut reply = [0; 2];
            stream.read_exact(&mut reply).unwrap();
            reply
        });
        let (stream, _) = listener.accept().await.unwrap();
        let mut buf = [0; 9];
        (&stream).read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"from afar");
        assert!(start.elapsed() >= Duration::from_millis(50));
        stream.write_all(b"ok").await.unwrap();
        assert_eq!(&peer.join().unwrap(), b"ok");
    });
}

#[test]
fn a_wake_from_another_thread_ends_a_wait_in_the_reactor_within_milliseconds() {
    minirt::block_on(async {
        // A socket registered, so the loop waits in epoll with a source.
        let _listener = TcpListener::bind(any_port()).unwrap();
        let mut delays = Vec::new();
        for _ in 0..20 {
            let (sender, receiver) = futures::channel::oneshot::channel();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(5));
                sender.send(Instant::now()).unwrap();
            });
            let sent = receiver.await.unwrap();
            delays.push(sent.elapsed());
        }
        delays.sort();
        assert!(
            delays[10] < Duration::from_millis(5),
            "median {:?}",
            delays[10]
        );
        assert!(
            delays[19] < Duration::from_millis(100),
            "max {:?}",
            delays[19]
        );
    });
}

#[test]
fn dropped_pending_futures_leave_the_sockets_usable() {
    minirt::block_on(async {
        let listener = TcpListener::bind(any_port()).unwrap();
        let addr = listener.local_addr().unwrap();
        // A pending accept, dropped by its timeout.
        let gave_up = minirt::timeout(Duration::from_millis(5), listener.accept()).await;
        assert!(gave_up.is_err());
        let client = TcpStream::connect(addr).await.unwrap();
        let (server, _) = listener.accept().await.unwrap();
        // A pending read, dropped; then data comes and a new read gets it.
        let gave_up = minirt::timeout(Duration::from_millis(5), client.read(&mut [0; 8])).await;
        assert!(gave_up.is_err());
        server.write_all(b"late").await.unwrap();
        let mut buf = [0; 4];
        (&client).read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"late");
        // A pending read in a task that is aborted, and a stream dropped
        // while its peer keeps writing.
        let client = Rc::new(client);
        let reader = client.clone();
        let task = minirt::spawn(async move { reader.read(&mut [0; 8]).await });
        minirt::sleep(Duration::from_millis(1)).await;
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        drop(client);
        let _ = server.write_all(b"to no one").await;
        minirt::sleep(Duration::from_millis(5)).await;
    });
}

#[test]
fn sockets_held_by_pending_tasks_close_with_their_runtime() {
    let rt = Runtime::new();
    let addr = rt.block_on(async {
        let listener = TcpListener::bind(any_port()).unwrap();
        let addr = listener.local_addr().unwrap();
        drop(minirt::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            stream.read(&mut [0; 8]).await // pending for ever
        }));
        addr
    });
    let mut peer = std::net::TcpStream::connect(addr).unwrap();
    rt.block_on(minirt::sleep(Duration::from_millis(10))); // the task accepts
    drop(rt);
    // The server's end closed with the runtime: the peer reads the end.
    peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    assert_eq!(peer.read(&mut [0; 8]).unwrap(), 0);
}

#[test]
fn udp_datagrams_go_both_ways() {
    minirt::block_on(async {
        let a = UdpSocket::bind(any_port()).unwrap();
        let b = UdpSocket::bind(any_port()).unwrap();
        let (a_addr, b_addr) = (a.local_addr().unwrap(), b.local_addr().unwrap());
        let echo = minirt::spawn(async move {
            let mut buf = [0; 64];
            for _ in 0..10 {
                let (len, from) = b.recv_from(&mut buf).await.unwrap();
                b.send_to(&buf[..len], from).await.unwrap();
            }
        });
        for n in 0..10u8 {
            a.send_to(&[n; 10], b_addr).await.unwrap();
            let mut buf = [0; 64];
            let (len, from) = a.recv_from(&mut buf).await.unwrap();
            assert_eq!((&buf[..len], from), (&[n; 10][..], b_addr));
        }
        echo.await.unwrap();
        assert_ne!(a_addr, b_addr);
    });
}

#[test]
fn the_futures_io_traits_work_through_futures_lite() {
    minirt::block_on(async {
        let addr = start_echo_server();
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        assert_eq!(stream.peer_addr().unwrap(), addr);
        assert!(stream.local_addr().unwrap().port() > 0);
        // On the stream itself (`TcpStream: AsyncWrite + AsyncRead`)...
        stream.write_all(b"one line\n").await.unwrap();
        stream.flush().await.unwrap();
        // ...and through `&TcpStream`, under a buffered reader.
        let mut lines = futures_lite::io::BufReader::new(&stream).lines();
        assert_eq!(
            futures_lite::StreamExt::next(&mut lines)
                .await
                .unwrap()
                .unwrap(),
            "one line"
        );
        drop(lines); // (it buffered nothing past the line: nothing more was sent)
        stream.write_all(b"and more\n").await.unwrap();
        let mut rest = [0; 4];
        stream.read_exact(&mut rest).await.unwrap();
        stream.close().await.unwrap(); // shuts down writes; the echo ends
        let mut tail = Vec::new();
        stream.read_to_end(&mut tail).await.unwrap();
        assert_eq!(tail, b"more\n");
        assert_eq!(&rest, b"and ");
    });
}

#[test]
fn a_loopback_write_after_a_virtual_sleep_is_read_at_that_virtual_instant() {
    let wall = Instant::now();
    let rt = Runtime::with_virtual_clock();
    rt.block_on(async {
        let listener = TcpListener::bind(any_port()).unwrap();
        let addr = listener.local_addr().unwrap();
        drop(minirt::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            minirt::sleep(Duration::from_secs(10)).await;
            stream.write_all(b"late").await.unwrap();
        }));
        let start = minirt::Instant::now();
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut buf = [0; 4];
        (&stream).read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"late");
        assert_eq!(start.elapsed(), Duration::from_secs(10));
    });
    assert!(
        wall.elapsed() < Duration::from_secs(1),
        "{:?}",
        wall.elapsed()
    );
}

#[test]
fn a_task_waiting_on_an_armed_socket_is_not_deadlocked() {
    for rt in [Runtime::new(), Runtime::with_virtual_clock()] {
        let listener = TcpListener::bind(any_port()).unwrap();
        let addr = listener.local_addr().unwrap();
        let peer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            std::net::TcpStream::connect(addr).unwrap()
        });
        let (_stream, from) = rt.block_on(listener.accept()).unwrap();
        assert_eq!(from, peer.join().unwrap().local_addr().unwrap());
    }
    // And through minirt::block_on, with the listener made inside.
    minirt::block_on(async {
        let listener = TcpListener::bind(any_port()).unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            let _ = std::net::TcpStream::connect(addr);
        });
        listener.accept().await.unwrap();
    });
}

#[test]
fn a_runtime_with_a_custom_clock_refuses_sockets_clearly() {
    let rt = Runtime::with_clock(minirt::VirtualClock::new());
    rt.block_on(async {
        let refused = TcpListener::bind(any_port()).err().unwrap();
        assert_eq!(refused.kind(), io::ErrorKind::Unsupported);
        assert!(refused.to_string().contains("io layer"), "{refused}");
    });
}

/// The re-arm race, stressed: a peer on another thread answers each byte
/// at once, so its answer often lands just as the loop's read has said
/// `WouldBlock`. An edge lost there would hang the exchange (the timeout
/// turns that into a failure).
#[test]
fn readiness_arriving_around_a_would_block_is_never_lost_2000_round_trips() {
    const ROUND_TRIPS: usize = 2000;
    minirt::block_on(async {
        let listener = TcpListener::bind(any_port()).unwrap();
        let addr = listener.local_addr().unwrap();
        let peer = std::thread::spawn(move || {
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            stream.set_nodelay(true).unwrap();
            let mut byte = [0];
            for _ in 0..ROUND_TRIPS {
                stream.read_exact(&mut byte).unwrap();
                stream.write_all(&byte).unwrap();
            }
        });
        let (stream, _) = listener.accept().await.unwrap();
        stream.set_nodelay(true).unwrap();
        let exchange = async {
            for n in 0..ROUND_TRIPS {
                stream.write_all(&[n as u8]).await.unwrap();
                let mut byte = [0];
                assert_eq!(stream.read(&mut byte).await.unwrap(), 1);
                assert_eq!(byte[0], n as u8);
            }
        };
        minirt::timeout(Duration::from_secs(20), exchange)
            .await
            .expect("a readiness edge was lost");
        peer.join().unwrap();
    });
}
