//! The bidirectional part of the RPC bench, in the same run: a callback's round trip (server
//! to client and back) against an ordinary call's (client to server and back) on the same
//! connection, and oneway pushes from the server to 1 and to 100 clients.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use thrift_bidi::{Channel, Connection, Error, Server};
use thrift_bidi_tests::generated::default::bidi_bench::{
    Hub, HubClient, HubServer, Peer, PeerClient, PeerServer,
};
use tokio::runtime::Runtime;
use tokio::sync::mpsc;

use crate::our_stack::runtime;
use crate::{latency_table, ROUNDS};

struct HubHandler;

impl Hub for HubHandler {
    async fn add(&self, a: i64, b: i64) -> Result<i64, Error> {
        Ok(a.wrapping_add(b))
    }
}

/// A client's callbacks: answers `add`, counts pushes.
struct PeerHandler {
    pushed: Arc<AtomicU64>,
}

impl Peer for PeerHandler {
    async fn add(&self, a: i64, b: i64) -> Result<i64, Error> {
        Ok(a.wrapping_add(b))
    }
    async fn push(&self, _x: i64) -> Result<(), Error> {
        self.pushed.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// A server on its own runtime; hands over each connection's callback client.
struct Bench {
    server: Runtime,
    client: Runtime,
    addr: std::net::SocketAddr,
    peers: mpsc::UnboundedReceiver<PeerClient>,
}

impl Bench {
    fn start() -> Self {
        let server = runtime(false);
        let (tx, peers) = mpsc::unbounded_channel();
        let listener = server
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("bound");
        let make = move |connection: &Connection| {
            let _ = tx.send(PeerClient::new(connection.callbacks()));
            HubServer::new(HubHandler)
        };
        server.spawn(Server::builder().serve_with(listener, make, std::future::pending()));
        Self {
            server,
            client: runtime(false),
            addr,
            peers,
        }
    }

    /// A client with callbacks counting into `pushed`, and the server's callback client
    /// for it.
    fn connect(&mut self, pushed: &Arc<AtomicU64>) -> (HubClient, PeerClient) {
        let handler = PeerHandler {
            pushed: pushed.clone(),
        };
        let addr = self.addr;
        let client = self.client.block_on(async move {
            let channel = Channel::builder()
                .callbacks(PeerServer::new(handler))
                .connect(addr)
                .await
                .expect("connect");
            channel.callbacks_ready().await;
            HubClient::new(channel)
        });
        let peer = self
            .peers
            .blocking_recv()
            .expect("the server hands it over");
        (client, peer)
    }
}

async fn sequential<F: std::future::Future<Output = Result<i64, Error>>>(
    n: usize,
    call: impl Fn() -> F,
) -> Vec<Duration> {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        assert_eq!(call().await.expect("add"), 3);
        times.push(start.elapsed());
    }
    times
}

pub(crate) fn run(adds: usize, pushes: usize) {
    let mut bench = Bench::start();
    let unused_pushes = Arc::new(AtomicU64::new(0));
    let (client, peer) = bench.connect(&unused_pushes);
    let (mut ordinary, mut callback) = (Vec::new(), Vec::new());
    // Short turns, many of them: these VMs' scheduling drifts from one moment to the next.
    let turns = ROUNDS * 10;
    let adds = adds.div_ceil(10);
    for _ in 0..turns {
        let c = client.clone();
        ordinary.extend(
            bench
                .client
                .block_on(
                    bench
                        .client
                        .spawn(async move { sequential(adds, || c.add(1, 2)).await }),
                )
                .expect("no panics"),
        );
        let p = peer.clone();
        callback.extend(
            bench
                .server
                .block_on(
                    bench
                        .server
                        .spawn(async move { sequential(adds, || p.add(1, 2)).await }),
                )
                .expect("no panics"),
        );
    }
    latency_table(
        "bidi: callback vs ordinary call",
        &["callback (server -> client)", "ordinary (client -> server)"],
        &[callback.clone(), ordinary.clone()],
        None,
    );

    println!("\nbidi: oneway pushes from the server (messages/s, median of {ROUNDS} rounds)");
    for clients in [1, 100] {
        let counters: Vec<Arc<AtomicU64>> =
            (0..clients).map(|_| Arc::new(AtomicU64::new(0))).collect();
        // (The clients are kept: a client's connection closes with its last channel.)
        let (_clients, peers): (Vec<HubClient>, Vec<PeerClient>) =
            counters.iter().map(|c| bench.connect(c)).unzip();
        let each = pushes / clients;
        let mut rates = Vec::new();
        for round in 0..ROUNDS {
            let target = u64::try_from(each * (round + 1)).expect("small");
            let peers = peers.clone();
            let start = Instant::now();
            bench
                .server
                .block_on(bench.server.spawn(async move {
                    for x in 0..each {
                        for peer in &peers {
                            peer.push(i64::try_from(x).expect("small"))
                                .await
                                .expect("push");
                        }
                    }
                }))
                .expect("no panics");
            while counters.iter().any(|c| c.load(Ordering::Relaxed) < target) {
                std::thread::sleep(Duration::from_micros(200));
            }
            #[allow(clippy::cast_precision_loss)] // counts far below 2^52
            rates.push((each * clients) as f64 / start.elapsed().as_secs_f64());
        }
        rates.sort_by(f64::total_cmp);
        println!("  to {clients:>3} client(s): {:>10.0}", rates[ROUNDS / 2]);
    }
}
