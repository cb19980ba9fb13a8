//! A 64-byte echo over 100 connections, to count the system calls the
//! loop makes per echoed message: the server runs on minirt on the main
//! thread, the clients on another thread with blocking std sockets, so
//!
//! ```text
//! strace -c cargo run --release -p minirt --example echo_syscalls
//! ```
//!
//! (without `-f`) counts the loop's calls only. It prints the message
//! count to divide by.

use minirt::net::TcpListener;
use std::io::{Read, Write};

const CONNECTIONS: usize = 100;
const ROUNDS: usize = 200;

fn main() {
    minirt::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let clients = std::thread::spawn(move || {
            let mut streams: Vec<_> = (0..CONNECTIONS)
                .map(|_| std::net::TcpStream::connect(addr).unwrap())
                .collect();
            let mut buf = [0; 64];
            for round in 0..ROUNDS {
                for stream in &mut streams {
                    stream.write_all(&[round as u8; 64]).unwrap();
                }
                for stream in &mut streams {
                    stream.read_exact(&mut buf).unwrap();
                    assert_eq!(buf, [round as u8; 64]);
                }
            }
        });
        let mut servers = Vec::new();
        for _ in 0..CONNECTIONS {
            let (stream, _) = listener.accept().await.unwrap();
            servers.push(minirt::spawn(async move {
                let mut buf = [0; 4096]; // a server's usual buffer, not the message's size
                loop {
                    match stream.read(&mut buf).await.unwrap() {
                        0 => break,
                        n => stream.write_all(&buf[..n]).await.unwrap(),
                    }
                }
            }));
        }
        minirt::join_all(servers).await;
        clients.join().unwrap();
    });
    println!("{} messages echoed", CONNECTIONS * ROUNDS);
}
