//! No CPU burnt while 500 connections sit idle: the loop waits in epoll.
//! (Alone in its binary: it measures the whole process's CPU time.)

use minirt::net::{TcpListener, TcpStream};
use std::time::Duration;

/// CPU time (user + system) of the whole process, from /proc.
fn process_cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // After the command name (which ends with ')'): utime is the 12th field, stime the 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}

#[test]
fn five_hundred_idle_connections_burn_no_cpu() {
    minirt::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let mut readers = Vec::new();
        let mut clients = Vec::new();
        for _ in 0..500 {
            clients.push(TcpStream::connect(addr).await.unwrap());
            let (server, _) = listener.accept().await.unwrap();
            // Each server end waits in a read that nothing will answer.
            readers.push(minirt::spawn(
                async move { server.read(&mut [0; 64]).await },
            ));
        }
        minirt::sleep(Duration::from_millis(20)).await; // everyone is parked
        let before = process_cpu_time();
        minirt::sleep(Duration::from_millis(300)).await;
        let used = process_cpu_time() - before;
        // A busy loop would burn all 300 ms; a tick of /proc is 10 ms.
        assert!(
            used <= Duration::from_millis(40),
            "idle loop used {used:?} of CPU"
        );
        assert!(readers.iter().all(|reader| !reader.is_finished()));
    });
}
