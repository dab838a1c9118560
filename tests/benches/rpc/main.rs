//! RPC benchmark over 127.0.0.1, framed + binary, on the `Bench` service and payload of
//! `../shared/bench/PAYLOAD.md`: ours and the Apache crate in the same run, Apache both with
//! `TCP_NODELAY` on its sockets and stock (Nagle on), against the floor of a raw 64-byte
//! ping-pong. Each server runs on threads (ours: a runtime) of its own.
//!
//! Prints sequential `add` p50/p99, sequential `echo_batch`, and `add` throughput from 1, 4
//! and 16 callers, on one shared connection and on a connection each, with ratios against
//! Apache-with-nodelay. `scripts/bench-rpc.sh` runs it unpinned and pinned to one core.

mod apache_stack;
mod bidi;
mod our_stack;
mod transports;

use apache_stack::{add, apache_sequential, apache_throughput, echo_batch, serve_apache};
use our_stack::{
    ours_sequential_add, ours_sequential_batch, ours_throughput, runtime, serve_ours, Endpoint,
};
use thrift_bidi::Server;
use thrift_bidi_tests::measure::{per_second, percentile, ping_pong, ratio, timed, us};

use std::future::Future;
use std::time::Duration;

const SEQUENTIAL_ADDS: usize = 1_000;
const SEQUENTIAL_BATCHES: usize = 60;
const STOCK_CALLS: usize = 10;
const THROUGHPUT_FOR: Duration = Duration::from_millis(500);
const CALLERS: [usize; 3] = [1, 4, 16];
/// Each measurement is repeated this many times, the stacks taking turns, so that the
/// machine's drifts hit them alike.
const ROUNDS: usize = 5;

/// Our stack on one kind of tokio runtime (client and server alike).
struct Ours {
    name: &'static str,
    endpoint: Endpoint,
    rt: tokio::runtime::Runtime,
}

impl Ours {
    fn start(name: &'static str, current_thread: bool) -> Self {
        Self {
            name,
            endpoint: Endpoint::plain(serve_ours(current_thread, Server::builder())),
            rt: runtime(current_thread),
        }
    }

    /// Runs `task` as a task of the runtime, as the code of a server or service runs
    /// (`block_on` alone would poll it on this thread, outside a multi-thread runtime's
    /// workers).
    fn run<T: Send + 'static>(&self, task: impl Future<Output = T> + Send + 'static) -> T {
        self.rt.block_on(self.rt.spawn(task)).expect("no panics")
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a test run (`cargo test --benches`) does not: then only
    // check that everything runs, briefly.
    let quick = !std::env::args().any(|a| a == "--bench");
    let scale = if quick { 20 } else { 1 };
    let ours = [
        Ours::start("ours (multi-thread)", false),
        Ours::start("ours (current-thread)", true),
    ];
    let apache_nodelay = serve_apache(true);
    let apache_stock = serve_apache(false);

    let (adds, batches) = (SEQUENTIAL_ADDS / scale, SEQUENTIAL_BATCHES / scale);
    let mut floor = Vec::new();
    let mut add_times = vec![Vec::new(); ours.len() + 1];
    let mut batch_times = vec![Vec::new(); ours.len() + 1];
    for _ in 0..ROUNDS {
        floor.extend(ping_pong(adds));
        for (i, o) in ours.iter().enumerate() {
            add_times[i].extend(o.run(ours_sequential_add(o.endpoint.clone(), adds)));
            batch_times[i].extend(o.run(ours_sequential_batch(o.endpoint.clone(), batches)));
        }
        add_times[ours.len()].extend(apache_sequential(apache_nodelay, true, adds, add));
        batch_times[ours.len()].extend(apache_sequential(
            apache_nodelay,
            true,
            batches,
            echo_batch,
        ));
    }
    let stock = apache_sequential(apache_stock, false, STOCK_CALLS.div_ceil(scale), add);
    let mut names: Vec<&str> = ours.iter().map(|o| o.name).collect();
    names.push("apache nodelay");
    println!(
        "floor: raw 64-byte ping-pong (blocking threads, TCP_NODELAY) p50 {}",
        us(percentile(&floor, 50))
    );
    latency_table(
        "sequential add",
        &names,
        &add_times,
        Some(("apache stock", &stock)),
    );
    latency_table("sequential echo_batch", &names, &batch_times, None);

    let period = THROUGHPUT_FOR / u32::try_from(scale).expect("small");
    println!(
        "\nadd throughput, calls/s (median of {ROUNDS} rounds; ratio to apache, a connection each)"
    );
    println!("  {:<24} {:>16} {:>16} {:>16}", "callers", "1", "4", "16");
    let mut rows: Vec<(String, Vec<f64>)> = Vec::new();
    for o in &ours {
        for shared in [true, false] {
            let label = format!("{} {}", o.name, if shared { "shared" } else { "each" });
            let figures = CALLERS.map(|callers| {
                median_of(|| o.run(ours_throughput(o.endpoint.clone(), callers, shared, period)))
            });
            rows.push((label, figures.to_vec()));
        }
    }
    for shared in [false, true] {
        let label = format!("apache nodelay {}", if shared { "shared" } else { "each" });
        let figures = CALLERS.map(|callers| {
            median_of(|| apache_throughput(apache_nodelay, callers, shared, period))
        });
        rows.push((label, figures.to_vec()));
    }
    let apache_each = rows[rows.len() - 2].1.clone();
    for (label, figures) in &rows {
        print!("  {label:<34}");
        for (figure, base) in figures.iter().zip(&apache_each) {
            print!(" {figure:>8.0} {:>5.2}x", figure / base);
        }
        println!();
    }

    transports::run(adds, batches, period);
    bidi::run(adds, 100_000 / scale);
}

/// The median of `ROUNDS` runs of `measure`.
fn median_of(mut measure: impl FnMut() -> f64) -> f64 {
    let mut runs: Vec<f64> = (0..ROUNDS).map(|_| measure()).collect();
    runs.sort_by(f64::total_cmp);
    runs[ROUNDS / 2]
}

/// Prints p50 and p99 of each stack, with the ratio of its p50 to the last stack's (the
/// baseline; `extra` comes after it).
fn latency_table(
    title: &str,
    names: &[&str],
    times: &[Vec<Duration>],
    extra: Option<(&str, &[Duration])>,
) {
    let base = percentile(times.last().expect("the baseline is last"), 50);
    let baseline = names.last().expect("the baseline is last");
    println!(
        "\n{title:<34} {:>10} {:>10}   p50 vs {baseline}",
        "p50", "p99"
    );
    let rows = names
        .iter()
        .zip(times.iter().map(Vec::as_slice))
        .chain(extra.as_ref().map(|(n, t)| (n, *t)));
    for (name, times) in rows {
        println!(
            "  {name:<32} {:>10} {:>10}   {:.2}x",
            us(percentile(times, 50)),
            us(percentile(times, 99)),
            ratio(percentile(times, 50), base),
        );
    }
}

// ---- ours -------------------------------------------------------------------------------

// ---- Apache -----------------------------------------------------------------------------
