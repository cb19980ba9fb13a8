//! No file descriptor leaks: as many open before as after thousands of
//! connect/close cycles, pending futures dropped, and a runtime dropped
//! with sockets in its tasks. (Alone in its binary: it counts the whole
//! process's descriptors.)

use minirt::net::{TcpListener, TcpStream};
use std::time::Duration;

/// Open file descriptors of this process.
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
fn thousands_of_connect_close_cycles_leak_no_descriptor() {
    let before = open_fds();
    minirt::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        for round in 0..2000 {
            let client = TcpStream::connect(addr).await.unwrap();
            let (server, _) = listener.accept().await.unwrap();
            if round % 2 == 0 {
                // A read left pending and dropped, then both ends dropped.
                let _ = minirt::timeout(Duration::ZERO, server.read(&mut [0; 8])).await;
            }
            drop(server);
            drop(client);
        }
    });
    // A runtime dropped while its tasks hold sockets and wait on them.
    let rt = minirt::Runtime::new();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        for _ in 0..10 {
            let client = TcpStream::connect(addr).await.unwrap();
            drop(minirt::spawn(async move { client.read(&mut [0; 8]).await }));
        }
        drop(minirt::spawn(async move { listener.accept().await }));
    });
    drop(rt);
    assert_eq!(open_fds(), before);
}
