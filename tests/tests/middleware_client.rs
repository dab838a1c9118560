//! Unmodified tower layers on generated clients, over real loopback sockets: tower's retry
//! layer, with `call::Retry` as its policy, retries a method annotated `bidi.idempotent` (and
//! one marked by `Config::idempotent`) and never one that is not; a concurrency limit built
//! once holds across two connections; load shedding refuses a call over the limit, and over a
//! rate limit shared (behind tower's buffer) by two connections; tower's
//! `MapRequest` layer sees each call's method and adds a header the handler reads; and a
//! server's channel back to its client passes layers too. Time bounds are liveness bounds with
//! wide margins.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use thrift_bidi::call::{self, Layered, Layers, Outbound, Retry};
use thrift_bidi::{
    ApplicationErrorKind, Channel, Connection, Error, Multiplexed, Server, Service, Transport,
};
use thrift_bidi_tests::generated::default::approvals::{
    Approver, ApproverApproveError, ApproverClient, Requests, RequestsClient, RequestsServer,
    RequestsSubmitError,
};
use thrift_bidi_tests::generated::default::ledger::{Ledger, LedgerClient, LedgerServer};
use tokio::net::TcpListener;
use tower::ServiceBuilder;

const BOUND: Duration = Duration::from_secs(10);

/// A ledger whose handlers count their calls and those running at once, and take `slow` over
/// their first call of each method (and `pause` over every call).
#[derive(Default)]
struct Books {
    calls: Mutex<HashMap<&'static str, usize>>,
    running: AtomicUsize,
    most: AtomicUsize,
    slow: Duration,
    pause: Duration,
}

impl Books {
    fn calls(&self, method: &str) -> usize {
        self.calls.lock().unwrap().get(method).copied().unwrap_or(0)
    }

    async fn handle(&self, method: &'static str) -> i64 {
        let first = {
            let mut calls = self.calls.lock().unwrap();
            let count = calls.entry(method).or_default();
            *count += 1;
            *count == 1
        };
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        let pause = if first { self.slow } else { self.pause };
        tokio::time::sleep(pause).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        let token = call::headers()
            .get("token")
            .map_or(0, thrift_bidi::Bytes::len);
        i64::try_from(token).unwrap()
    }
}

struct Handler(Arc<Books>);

impl Ledger for Handler {
    async fn balance(&self, _: String) -> Result<i64, Error> {
        Ok(self.0.handle("balance").await)
    }

    async fn deposit(&self, _: String, _: i64) -> Result<i64, Error> {
        Ok(self.0.handle("deposit").await)
    }

    async fn audit(&self, _: String) -> Result<i64, Error> {
        Ok(self.0.handle("audit").await)
    }
}

async fn serve<S: Service>(
    make: impl Fn(&Connection) -> S + Send + 'static,
) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Server::builder().transport(Transport::Header);
    tokio::spawn(server.serve_with(listener, make, std::future::pending()));
    addr
}

async fn ledger(books: &Arc<Books>) -> std::net::SocketAddr {
    let books = books.clone();
    serve(move |_| LedgerServer::new(Handler(books.clone()))).await
}

async fn connect(addr: std::net::SocketAddr, transport: Transport) -> Channel {
    let builder = Channel::builder().transport(transport).call_timeout(BOUND);
    builder.connect(addr).await.unwrap()
}

fn slow_first(slow: Duration) -> Arc<Books> {
    Arc::new(Books {
        slow,
        ..Books::default()
    })
}

/// Starts a deposit (the first, which is slow) and waits for it to reach the handler.
async fn slow_deposit(
    client: &LedgerClient,
    books: &Books,
) -> tokio::task::JoinHandle<Result<i64, Error>> {
    let client = client.clone();
    let deposit = tokio::spawn(async move { client.deposit("a".into(), 1).await });
    while books.calls("deposit") == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    deposit
}

#[tokio::test]
async fn retry_retries_idempotent_methods_and_never_the_others() {
    let books = slow_first(Duration::from_millis(600));
    let addr = ledger(&books).await;
    let layers = Layers::new(
        ServiceBuilder::new()
            .retry(Retry::new(3))
            .timeout(Duration::from_millis(150)),
    );
    let client = LedgerClient::new(connect(addr, Transport::Framed).await.with_layers(&layers));
    // The first try of each method outlives tower's timeout; the second is answered at once.
    assert_eq!(client.balance("a".into()).await.unwrap(), 0);
    assert_eq!(
        books.calls("balance"),
        2,
        "annotated idempotent: tried twice"
    );
    assert_eq!(client.audit("a".into()).await.unwrap(), 0);
    assert_eq!(books.calls("audit"), 2, "idempotent by config: tried twice");
    match client.deposit("a".into(), 5).await {
        Err(Error::Timeout) => {}
        other => panic!("expected the one try to time out, got {other:?}"),
    }
    // Long enough for a retry to have reached the server, had there been one.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(books.calls("deposit"), 1, "not idempotent: sent once");
    // Later deposits are fast and go through once each.
    client.deposit("a".into(), 5).await.unwrap();
    assert_eq!(books.calls("deposit"), 2);
}

#[tokio::test]
async fn retry_tries_an_idempotent_call_the_server_shed_again() {
    // The server runs one call at a time and sheds the rest with LOADSHEDDING.
    let books = slow_first(Duration::from_millis(300));
    let service = LedgerServer::new(Handler(books.clone()));
    let shedding = ServiceBuilder::new().load_shed().concurrency_limit(1);
    let layered = Layered::new(service, shedding);
    let addr = serve(move |_| layered.clone()).await;
    let retry = Retry::new(20).backoff(Duration::from_millis(50));
    let layers = Layers::new(ServiceBuilder::new().retry(retry));
    let client = LedgerClient::new(connect(addr, Transport::Framed).await.with_layers(&layers));
    // The slow first deposit holds the server's one slot.
    let busy = slow_deposit(&client, &books).await;
    let shed = client.deposit("b".into(), 1).await;
    match shed {
        Err(Error::Application(e)) if e.kind == ApplicationErrorKind::Loadshedding => {}
        other => panic!("expected a deposit shed once and not retried, got {other:?}"),
    }
    // Shed until the slow deposit is done (300 ms at 50 ms apart), then answered.
    let read = tokio::time::timeout(BOUND, client.balance("a".into())).await;
    assert_eq!(read.unwrap().unwrap(), 0);
    assert!(busy.await.unwrap().is_ok());
    assert_eq!(books.calls("balance"), 1, "run once, after the shed tries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_concurrency_limit_built_once_holds_across_connections() {
    let pause = Duration::from_millis(30);
    let run = |layers: Option<Layers>| async move {
        let books = Arc::new(Books {
            slow: pause,
            pause,
            ..Books::default()
        });
        let addr = ledger(&books).await;
        let mut calls = Vec::new();
        for _ in 0..2 {
            let mut channel = connect(addr, Transport::Framed).await;
            if let Some(layers) = &layers {
                channel = channel.with_layers(layers);
            }
            let client = LedgerClient::new(channel);
            for _ in 0..4 {
                let client = client.clone();
                calls.push(tokio::spawn(
                    async move { client.deposit("a".into(), 1).await },
                ));
            }
        }
        for call in calls {
            tokio::time::timeout(BOUND, call)
                .await
                .unwrap()
                .unwrap()
                .unwrap();
        }
        books.most.load(Ordering::SeqCst)
    };
    assert!(run(None).await > 1, "without the limit, calls overlap");
    let layers = Layers::new(ServiceBuilder::new().concurrency_limit(1));
    assert_eq!(run(Some(layers)).await, 1, "one call at a time across both");
}

#[tokio::test]
async fn client_load_shedding_refuses_calls_over_the_limit() {
    let books = slow_first(Duration::from_millis(300));
    let addr = ledger(&books).await;
    let layers = Layers::new(ServiceBuilder::new().load_shed().concurrency_limit(1));
    let client = LedgerClient::new(connect(addr, Transport::Framed).await.with_layers(&layers));
    let first = slow_deposit(&client, &books).await;
    match client.deposit("b".into(), 1).await {
        Err(Error::Layer(e)) if e.is::<tower::load_shed::error::Overloaded>() => {}
        other => panic!("expected the layer to shed the call, got {other:?}"),
    }
    assert_eq!(books.calls("deposit"), 1, "the shed call never left");
    assert!(first.await.unwrap().is_ok());
    client.deposit("c".into(), 1).await.unwrap();
}

#[tokio::test]
async fn a_client_rate_limit_behind_a_buffer_holds_across_connections() {
    let books = slow_first(Duration::ZERO);
    let addr = ledger(&books).await;
    let layers = Layers::new(
        ServiceBuilder::new()
            .buffer(16)
            .load_shed()
            .rate_limit(2, Duration::from_mins(1)),
    );
    let mut answers = Vec::new();
    for _ in 0..2 {
        let channel = connect(addr, Transport::Framed).await.with_layers(&layers);
        let client = LedgerClient::new(channel);
        for _ in 0..2 {
            answers.push(client.deposit("a".into(), 1).await);
        }
    }
    assert!(answers[..2].iter().all(Result::is_ok), "{answers:?}");
    for answer in &answers[2..] {
        match answer {
            Err(Error::Layer(e)) if e.is::<tower::load_shed::error::Overloaded>() => {}
            other => panic!("expected the rate limit to shed the call, got {other:?}"),
        }
    }
    assert_eq!(books.calls("deposit"), 2, "the shed calls never left");
}

/// Records the calls a layer saw: method, idempotent or not, and the connection.
type Seen = Arc<Mutex<Vec<(String, bool)>>>;

fn recording(seen: &Seen, token: &'static str) -> Layers {
    let seen = seen.clone();
    Layers::new(tower::util::MapRequestLayer::new(
        move |mut call: Outbound| {
            let entry = (call.method().to_owned(), call.is_idempotent());
            seen.lock().unwrap().push(entry);
            call.headers_mut().insert("token", token);
            call
        },
    ))
}

#[tokio::test]
async fn a_layer_sees_each_call_and_adds_a_header_the_handler_reads() {
    let books = slow_first(Duration::ZERO);
    let served = books.clone();
    let addr = serve(move |_| {
        Multiplexed::new().with("Ledger", LedgerServer::new(Handler(served.clone())))
    })
    .await;
    let seen = Seen::default();
    let channel = connect(addr, Transport::Header).await.multiplexed("Ledger");
    let client = LedgerClient::new(channel.with_layers(&recording(&seen, "secret")));
    // The handler answers with the length of the header the layer added.
    assert_eq!(client.balance("a".into()).await.unwrap(), 6);
    assert_eq!(client.deposit("a".into(), 1).await.unwrap(), 6);
    let seen = seen.lock().unwrap().clone();
    let expected = [("balance".to_owned(), true), ("deposit".to_owned(), false)];
    assert_eq!(seen, expected, "the method without the service prefix");
}

/// Approves everything, counting the approvals.
struct Approving(Arc<AtomicUsize>);

impl Approver for Approving {
    async fn approve(&self, _: String) -> Result<bool, ApproverApproveError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(true)
    }
}

/// A desk that calls its client back through `layers`.
struct Desk(ApproverClient);

impl Requests for Desk {
    async fn submit(&self, request: String) -> Result<String, RequestsSubmitError> {
        Ok(format!(
            "{request}: {}",
            self.0.approve(request.clone()).await?
        ))
    }
}

#[tokio::test]
async fn a_servers_calls_back_to_its_client_pass_layers() {
    let seen = Seen::default();
    let layers = recording(&seen, "t");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let make = move |connection: &Connection| {
        let back = connection.callbacks().with_layers(&layers);
        RequestsServer::new(Desk(ApproverClient::new(back)))
    };
    tokio::spawn(Server::builder().serve_with(listener, make, std::future::pending()));
    let approvals = Arc::new(AtomicUsize::new(0));
    let builder = RequestsClient::builder(Approving(approvals.clone()));
    let client = RequestsClient::new(builder.connect(addr).await.unwrap());
    let answer = tokio::time::timeout(BOUND, client.submit("x".into())).await;
    assert_eq!(answer.unwrap().unwrap(), "x: true");
    assert_eq!(approvals.load(Ordering::SeqCst), 1);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen, [("approve".to_owned(), false)]);
}
