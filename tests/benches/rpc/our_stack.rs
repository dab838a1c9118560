//! Our side of the RPC bench: the `Bench` handler, a server on a runtime of its own, and the
//! sequential and throughput measurements of a client.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use thrift_bidi::{Channel, ClientTls, Codec, Error, Server};
use thrift_bidi_tests::generated::default::bench as ours;
use thrift_bidi_tests::payload;

use crate::per_second;

pub(crate) struct OursHandler;

impl ours::Bench for OursHandler {
    async fn echo(&self, item: ours::Item) -> Result<ours::Item, Error> {
        Ok(item)
    }
    async fn echo_batch(&self, b: ours::Batch) -> Result<ours::Batch, Error> {
        Ok(b)
    }
    async fn fire(&self, _x: i64) -> Result<(), Error> {
        Ok(())
    }
    async fn add(&self, a: i64, b: i64) -> Result<i64, Error> {
        Ok(a.wrapping_add(b))
    }
}

pub(crate) fn runtime(current_thread: bool) -> tokio::runtime::Runtime {
    let mut builder = if current_thread {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    builder.enable_all().build().expect("a runtime")
}

/// Our server on a runtime of its own, on threads of its own; runs until the process ends.
/// Where our client connects, and how.
#[derive(Clone, Debug)]
pub(crate) struct Endpoint {
    pub(crate) addr: SocketAddr,
    pub(crate) codec: Codec,
    pub(crate) tls: Option<ClientTls>,
    /// Over HTTP (each call a POST), not a connection of its own.
    pub(crate) http: bool,
}

impl Endpoint {
    /// Framed binary over plain TCP.
    pub(crate) fn plain(addr: SocketAddr) -> Self {
        Self {
            addr,
            codec: Codec::default(),
            tls: None,
            http: false,
        }
    }
}

pub(crate) fn serve_ours(current_thread: bool, server: Server) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        runtime(current_thread).block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("bound"))
                .expect("main waits");
            let service = ours::BenchServer::new(OursHandler);
            server
                .serve(listener, service, std::future::pending())
                .await;
        });
    });
    rx.recv().expect("the server starts")
}

pub(crate) async fn ours_client(endpoint: &Endpoint) -> ours::BenchClient {
    let mut builder = Channel::builder().codec(endpoint.codec);
    if let Some(tls) = &endpoint.tls {
        builder = builder.tls(tls.clone());
    }
    let channel = if endpoint.http {
        let url = format!("http://{}/", endpoint.addr);
        builder.connect_http(&url)
    } else {
        builder.connect(endpoint.addr).await
    };
    ours::BenchClient::new(channel.expect("connect"))
}

pub(crate) async fn ours_sequential_add(endpoint: Endpoint, n: usize) -> Vec<Duration> {
    let client = ours_client(&endpoint).await;
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let start = Instant::now();
        let sum = client.add(1, 2).await.expect("add");
        times.push(start.elapsed());
        assert_eq!(sum, 3, "call {i}");
    }
    times
}

pub(crate) async fn ours_sequential_batch(endpoint: Endpoint, n: usize) -> Vec<Duration> {
    let client = ours_client(&endpoint).await;
    let batch = payload::ours();
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let echoed = client.echo_batch(batch.clone()).await.expect("echo_batch");
        times.push(start.elapsed());
        assert_eq!(echoed.items.len(), payload::ITEMS);
    }
    times
}

/// Calls per second of `callers` tasks calling `add` for `period`, on one connection or
/// one each.
pub(crate) async fn ours_throughput(
    endpoint: Endpoint,
    callers: usize,
    shared: bool,
    period: Duration,
) -> f64 {
    let one = ours_client(&endpoint).await;
    let mut clients = Vec::new();
    for _ in 0..callers {
        clients.push(if shared {
            one.clone()
        } else {
            ours_client(&endpoint).await
        });
    }
    let calls = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = tokio::task::JoinSet::new();
    for client in clients {
        let (calls, stop) = (calls.clone(), stop.clone());
        tasks.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                client.add(1, 2).await.expect("add");
                calls.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    tokio::time::sleep(period).await;
    stop.store(true, Ordering::Relaxed);
    tasks.join_all().await;
    per_second(calls.load(Ordering::Relaxed), period)
}
