//! Channels over several endpoints (`ChannelBuilder::connect_any`), on real loopback sockets
//! and server processes: a client with callbacks stays on one server until it goes, then
//! moves to the next, says hello again and runs its hook (a call under way when its server is
//! killed is in `idl-examples/tests/servers.rs`, beside the server program); round robin and
//! power of two choices spread 3,000 calls over 3 servers within 33% ± 10% each; and a server that
//! accepts and drops every connection is retried with backoff, not in a tight loop.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use thrift_bidi::{Balance, Callbacks, Channel, Error, Reconnect, Server};
use thrift_bidi_tests::generated::default::approvals::{
    Approver, ApproverApproveError, ApproverClient, Requests, RequestsClient, RequestsServer,
    RequestsSubmitError,
};
use thrift_bidi_tests::generated::default::ledger::{Ledger, LedgerClient, LedgerServer};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

const BOUND: Duration = Duration::from_secs(20);

/// A desk that names its server in each answer, after asking the client's approver.
struct Desk(&'static str, ApproverClient);

impl Requests for Desk {
    async fn submit(&self, request: String) -> Result<String, RequestsSubmitError> {
        let approved = self.1.approve(request.clone()).await?;
        Ok(format!("{request} at {}: {approved}", self.0))
    }
}

struct Approving;

impl Approver for Approving {
    async fn approve(&self, _: String) -> Result<bool, ApproverApproveError> {
        Ok(true)
    }
}

/// A desk server named `name`, and the sender that shuts it down.
async fn desk(name: &'static str) -> (String, oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (stop, stopped) = oneshot::channel::<()>();
    let make = move |connection: &thrift_bidi::Connection| {
        RequestsServer::new(Desk(name, ApproverClient::new(connection.callbacks())))
    };
    let shutdown = async {
        let _ = stopped.await;
    };
    let server = Server::builder().shutdown_timeout(Duration::from_millis(100));
    tokio::spawn(server.serve_with(listener, make, shutdown));
    (addr, stop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_with_callbacks_moves_to_the_next_server_and_registers_again() {
    let (a, stop_a) = desk("a").await;
    let (b, _stop_b) = desk("b").await;
    let hooked = Arc::new(AtomicUsize::new(0));
    let reconnect = Reconnect::default().on_connect({
        let hooked = hooked.clone();
        move |channel: Channel| {
            let hooked = hooked.clone();
            async move {
                // Registering again: here, a call on the new connection before any other.
                let client = RequestsClient::new(channel);
                client.submit("register".into()).await.unwrap();
                hooked.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    let builder = RequestsClient::builder(Approving);
    let channel = builder.connect_any([a, b], reconnect).await.unwrap();
    let client = RequestsClient::new(channel.clone());
    assert_eq!(client.submit("x".into()).await.unwrap(), "x at a: true");
    assert_eq!(hooked.load(Ordering::SeqCst), 1);
    stop_a.send(()).unwrap();
    channel.closed().await; // a's connection
    let moved = tokio::time::timeout(BOUND, client.submit("y".into()))
        .await
        .unwrap();
    assert_eq!(moved.unwrap(), "y at b: true", "on b, called back there");
    assert_eq!(
        hooked.load(Ordering::SeqCst),
        2,
        "the hook ran for b's connection"
    );
    assert_eq!(
        channel.callbacks(),
        Callbacks::Available,
        "hello said again"
    );
}

/// A ledger server counting the calls it answered.
async fn counting(calls: Arc<AtomicUsize>) -> String {
    struct Counting(Arc<AtomicUsize>);
    impl Ledger for Counting {
        async fn balance(&self, _: String) -> Result<i64, Error> {
            Ok(i64::try_from(self.0.fetch_add(1, Ordering::Relaxed)).unwrap())
        }
        async fn deposit(&self, _: String, _: i64) -> Result<i64, Error> {
            Ok(0)
        }
        async fn audit(&self, _: String) -> Result<i64, Error> {
            Ok(0)
        }
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let service = LedgerServer::new(Counting(calls));
    tokio::spawn(Server::builder().serve(listener, service, std::future::pending()));
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_spread_over_three_servers() {
    for balance in [Balance::RoundRobin, Balance::PowerOfTwo] {
        let counts: Vec<Arc<AtomicUsize>> = (0..3).map(|_| Arc::default()).collect();
        let mut endpoints = Vec::new();
        for count in &counts {
            endpoints.push(counting(count.clone()).await);
        }
        let reconnect = Reconnect::default().balance(balance);
        let channel = Channel::builder()
            .connect_any(endpoints, reconnect)
            .await
            .unwrap();
        let client = LedgerClient::new(channel);
        // Calls until each server has had one: all three are connected.
        while counts.iter().any(|c| c.load(Ordering::Relaxed) == 0) {
            client.balance("warm".into()).await.unwrap();
        }
        for count in &counts {
            count.store(0, Ordering::Relaxed);
        }
        // Round robin takes turns however many calls are under way; power of two weighs the
        // calls under way, so that a slower server (on a busy machine: any of them) gets
        // fewer. Its count spread is shown with one caller, where every pick is between
        // servers with nothing under way.
        let callers = if balance == Balance::RoundRobin {
            3000
        } else {
            1
        };
        let mut calls = Vec::new();
        for _ in 0..callers {
            let client = client.clone();
            calls.push(tokio::spawn(async move {
                for _ in 0..3000 / callers {
                    client.balance("a".into()).await?;
                }
                Ok::<_, Error>(())
            }));
        }
        for call in calls {
            call.await.unwrap().unwrap();
        }
        let spread: Vec<usize> = counts.iter().map(|c| c.load(Ordering::Relaxed)).collect();
        assert_eq!(spread.iter().sum::<usize>(), 3000);
        assert!(
            spread.iter().all(|n| (700..=1300).contains(n)),
            "{balance:?}: {spread:?}"
        );
    }
}

#[tokio::test]
async fn a_server_that_drops_every_connection_is_retried_with_backoff() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let accepted = Arc::new(Mutex::new(Vec::new()));
    tokio::spawn({
        let accepted = accepted.clone();
        async move {
            let started = tokio::time::Instant::now();
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                accepted.lock().unwrap().push(started.elapsed());
                drop(stream);
            }
        }
    });
    let reconnect = Reconnect::default()
        .backoff(Duration::from_millis(50), Duration::from_millis(400))
        .wait(Duration::from_secs(2));
    // The first connection is made (and dropped at once): the channel stays, reconnecting.
    let channel = Channel::builder()
        .connect_any([addr], reconnect)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let attempts = accepted.lock().unwrap().len();
    // Pauses of 25-50, 50-100, 100-200, then 200-400 ms: between 5 and 14 in 2 s; without
    // backoff, thousands.
    assert!((4..=16).contains(&attempts), "{attempts} attempts in 2 s");
    drop(channel);
}

/// A ledger whose calls on server `name` take `pause` (counted, by method and server).
struct Paused {
    name: &'static str,
    pause: Duration,
    seen: Arc<Mutex<Vec<(&'static str, &'static str)>>>,
}

impl Paused {
    async fn answer(&self, method: &'static str) -> i64 {
        self.seen.lock().unwrap().push((self.name, method));
        tokio::time::sleep(self.pause).await;
        i64::from(self.name == "b")
    }
}

impl Ledger for Paused {
    async fn balance(&self, _: String) -> Result<i64, Error> {
        Ok(self.answer("balance").await)
    }
    async fn deposit(&self, _: String, _: i64) -> Result<i64, Error> {
        Ok(self.answer("deposit").await)
    }
    async fn audit(&self, _: String) -> Result<i64, Error> {
        Ok(self.answer("audit").await)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_layer_moves_an_idempotent_call_to_the_next_server() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut endpoints = Vec::new();
    let mut stops = Vec::new();
    for (name, pause) in [("a", Duration::from_secs(30)), ("b", Duration::ZERO)] {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        endpoints.push(listener.local_addr().unwrap().to_string());
        let (stop, stopped) = oneshot::channel::<()>();
        stops.push(stop);
        let seen = seen.clone();
        let make = move |_: &thrift_bidi::Connection| {
            LedgerServer::new(Paused {
                name,
                pause,
                seen: seen.clone(),
            })
        };
        let server = Server::builder().shutdown_timeout(Duration::from_millis(50));
        tokio::spawn(server.serve_with(listener, make, async {
            let _ = stopped.await;
        }));
    }
    let layers = thrift_bidi::call::Layers::new(
        tower::ServiceBuilder::new()
            .retry(thrift_bidi::call::Retry::new(3).backoff(Duration::from_millis(50))),
    );
    let channel = Channel::builder()
        .connect_any(endpoints, Reconnect::default())
        .await
        .unwrap();
    let client = LedgerClient::new(channel.with_layers(&layers));
    let balance = tokio::spawn({
        let client = client.clone();
        async move { client.balance("x".into()).await }
    });
    let deposit = tokio::spawn({
        let client = client.clone();
        async move { client.deposit("x".into(), 1).await }
    });
    while seen.lock().unwrap().len() < 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stops.remove(0).send(()).unwrap(); // a goes, both calls under way there
    let balance = tokio::time::timeout(BOUND, balance).await.unwrap().unwrap();
    assert_eq!(balance.unwrap(), 1, "idempotent: tried again, on b");
    let deposit = tokio::time::timeout(BOUND, deposit).await.unwrap().unwrap();
    assert!(matches!(deposit, Err(Error::Disconnected)), "{deposit:?}");
    let mut seen = seen.lock().unwrap().clone();
    seen.sort_unstable();
    assert_eq!(seen, [("a", "balance"), ("a", "deposit"), ("b", "balance")]);
}
