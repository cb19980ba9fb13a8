//! A busy loop still hears its sockets: readiness is looked for once a
//! budget of polls, not only when nothing is ready (tokio looks every 61
//! polls), so a task that keeps yielding cannot keep a read waiting.

use minirt::net::TcpListener;
use std::cell::Cell;
use std::io::Write;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

#[test]
fn a_read_completes_while_another_task_keeps_the_loop_busy() {
    let rt = minirt::Runtime::new();
    rt.block_on(async {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
        let addr = listener.local_addr().unwrap();
        // Another thread connects and writes one byte 20 ms from now.
        let writer = std::thread::spawn(move || {
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            std::thread::sleep(Duration::from_millis(20));
            stream.write_all(b"x").unwrap();
            std::thread::sleep(Duration::from_millis(200));
        });
        let (stream, _) = listener.accept().await.unwrap();
        let read_at = Rc::new(Cell::new(None));
        let done = read_at.clone();
        let reader = minirt::spawn(async move {
            let mut byte = [0];
            assert_eq!(stream.read(&mut byte).await.unwrap(), 1);
            done.set(Some(Instant::now()));
        });
        // Busy for 150 ms: always ready, never parked.
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(150) && read_at.get().is_none() {
            minirt::yield_now().await;
        }
        let read_after = read_at
            .get()
            .expect("the read completed while the loop was busy")
            - start;
        assert!(
            read_after < Duration::from_millis(120),
            "read after {read_after:?}"
        );
        reader.await.unwrap();
        writer.join().unwrap();
    });
}
