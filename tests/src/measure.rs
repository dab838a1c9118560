//! Measuring for the benchmarks (`tests/benches`): times of calls one after another, their
//! percentiles and ratios, and the floor they are compared with (a raw loopback ping-pong).
//!
//! Input: calls to time. Output: durations, and their summaries as the benches print them.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// `d` in microseconds, as the benches print it.
pub fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// `a` as a multiple of `b`.
pub fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

/// The `p`th percentile of `times` (not empty).
///
/// # Panics
/// If `times` is empty.
pub fn percentile(times: &[Duration], p: usize) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    sorted[(sorted.len() - 1) * p / 100]
}

/// Times `n` calls of `call`, one after another.
pub fn timed(n: usize, mut call: impl FnMut()) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let start = Instant::now();
            call();
            start.elapsed()
        })
        .collect()
}

/// The floor: a 64-byte request and reply between two blocking threads.
///
/// # Panics
/// If loopback sockets fail.
pub fn ping_pong(n: usize) -> Vec<Duration> {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("bound");
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        stream.set_nodelay(true).expect("nodelay");
        let mut buf = [0; 64];
        while stream.read_exact(&mut buf).is_ok() && stream.write_all(&buf).is_ok() {}
    });
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let mut buf = [7; 64];
    timed(n, || {
        stream.write_all(&buf).expect("write");
        stream.read_exact(&mut buf).expect("read");
    })
}

/// `calls` over `period`, per second.
#[allow(clippy::cast_precision_loss)] // call counts are far below 2^52
pub fn per_second(calls: u64, period: Duration) -> f64 {
    calls as f64 / period.as_secs_f64()
}
