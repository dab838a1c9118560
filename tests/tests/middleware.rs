//! Unmodified tower layers around generated services, on real loopback sockets: a concurrency
//! limit of 1 built once holds across two connections; load shedding refuses a call over it
//! with `LOADSHEDDING`; a rate limit behind tower's buffer holds across connections; tower's
//! timeout answers `TIMEOUT`, which the client sees as
//! `Error::Timeout`; a layer reads the call's method and context and stores a value there for
//! the handler; and layers wrap a client's callback service too. Time bounds are liveness
//! bounds with wide margins.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use thrift_bidi::call::{self, Layered};
use thrift_bidi::{ApplicationErrorKind, Channel, Connection, Error, Incoming, Server, Service};
use thrift_bidi_tests::generated::default::approvals::{
    Approver, ApproverApproveError, ApproverClient, Requests, RequestsClient, RequestsServer,
    RequestsSubmitError,
};
use tokio::net::TcpListener;
use tower::ServiceBuilder;

const BOUND: Duration = Duration::from_secs(10);

/// Answers `submit` after `pause`, counting the calls running at once (and the most ever).
#[derive(Default)]
struct Counting {
    running: AtomicUsize,
    most: AtomicUsize,
}

/// Who a layer found the caller to be.
#[derive(Clone, Debug, PartialEq)]
struct Caller(String);

struct Slow(Arc<Counting>, Duration);

impl Requests for Slow {
    async fn submit(&self, request: String) -> Result<String, RequestsSubmitError> {
        let now = self.0.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.0.most.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(self.1).await;
        self.0.running.fetch_sub(1, Ordering::SeqCst);
        let caller = call::context().and_then(|cx| cx.get::<Caller>());
        Ok(format!("{request} for {caller:?}"))
    }
}

async fn serve(service: impl Service + Clone) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(Server::builder().serve(listener, service, std::future::pending()));
    addr
}

async fn client(addr: std::net::SocketAddr) -> RequestsClient {
    let channel = Channel::builder().call_timeout(BOUND);
    RequestsClient::new(channel.connect(addr).await.unwrap())
}

/// Submits `n` requests at once, each on a connection of its own.
async fn at_once(addr: std::net::SocketAddr, n: usize) -> Vec<Result<String, RequestsSubmitError>> {
    let mut calls = Vec::new();
    for i in 0..n {
        let client = client(addr).await;
        calls.push(tokio::spawn(
            async move { client.submit(format!("r{i}")).await },
        ));
    }
    let mut answers = Vec::new();
    for call in calls {
        answers.push(tokio::time::timeout(BOUND, call).await.unwrap().unwrap());
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrency_limit_built_once_holds_across_connections() {
    let counting = Arc::new(Counting::default());
    let service = RequestsServer::new(Slow(counting.clone(), Duration::from_millis(100)));
    let layered = Layered::new(service, ServiceBuilder::new().concurrency_limit(1));
    let addr = serve(layered).await;
    let answers = at_once(addr, 3).await;
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    assert_eq!(
        counting.most.load(Ordering::SeqCst),
        1,
        "one call at a time"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_shedding_refuses_calls_over_the_limit() {
    let counting = Arc::new(Counting::default());
    let service = RequestsServer::new(Slow(counting.clone(), Duration::from_millis(300)));
    let layers = ServiceBuilder::new().load_shed().concurrency_limit(1);
    let addr = serve(Layered::new(service, layers)).await;
    let answers = at_once(addr, 4).await;
    let shed = answers
        .iter()
        .filter(|answer| {
            matches!(answer, Err(RequestsSubmitError::Rpc(Error::Application(e)))
                if e.kind == ApplicationErrorKind::Loadshedding)
        })
        .count();
    let served = answers.iter().filter(|answer| answer.is_ok()).count();
    assert!(
        served >= 1 && shed >= 1 && served + shed == 4,
        "{answers:?}"
    );
    assert_eq!(counting.most.load(Ordering::SeqCst), 1);
}

/// tower's rate limit is not `Clone`: behind tower's `buffer`, one limit serves every
/// connection, and load shedding refuses what is over it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buffered_rate_limit_holds_across_connections() {
    let counting = Arc::new(Counting::default());
    let service = RequestsServer::new(Slow(counting, Duration::ZERO));
    let layers = ServiceBuilder::new()
        .buffer(16)
        .load_shed()
        .rate_limit(2, Duration::from_mins(1));
    let addr = serve(Layered::new(service, layers)).await;
    let mut answers = Vec::new();
    for i in 0..4 {
        answers.push(client(addr).await.submit(format!("r{i}")).await);
    }
    let shed = |answer: &Result<String, RequestsSubmitError>| {
        matches!(answer, Err(RequestsSubmitError::Rpc(Error::Application(e)))
            if e.kind == ApplicationErrorKind::Loadshedding)
    };
    assert!(answers[..2].iter().all(Result::is_ok), "{answers:?}");
    assert!(answers[2..].iter().all(shed), "{answers:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_layer_answers_timeout_which_the_client_sees_as_one() {
    let counting = Arc::new(Counting::default());
    let service = RequestsServer::new(Slow(counting, Duration::from_secs(2)));
    let layers = ServiceBuilder::new().timeout(Duration::from_millis(50));
    let addr = serve(Layered::new(service, layers)).await;
    let answer = client(addr).await.submit("late".into()).await;
    assert!(
        matches!(answer, Err(RequestsSubmitError::Rpc(Error::Timeout))),
        "{answer:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_layer_sees_the_method_and_fills_the_context_for_the_handler() {
    let counting = Arc::new(Counting::default());
    let service = RequestsServer::new(Slow(counting, Duration::ZERO));
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    let identify = tower::util::MapRequestLayer::new(move |call: Incoming| {
        let cx = call::context().expect("a layer runs inside the call");
        record
            .lock()
            .unwrap()
            .push((call.method().to_owned(), cx.method().to_owned()));
        let port = cx.peer().addr().map(|addr| addr.port()).unwrap_or_default();
        cx.insert(Caller(format!("port {port}")));
        call
    });
    let addr = serve(Layered::new(service, identify)).await;
    let answer = client(addr).await.submit("hello".into()).await.unwrap();
    assert!(
        answer.starts_with("hello for Some(Caller(\"port "),
        "{answer}"
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen, vec![("submit".to_owned(), "submit".to_owned())]);
}

/// The client's callback: slow.
struct Dawdling;

impl Approver for Dawdling {
    async fn approve(&self, _: String) -> Result<bool, ApproverApproveError> {
        tokio::time::sleep(Duration::from_secs(2)).await;
        Ok(true)
    }
}

/// The server: has the client approve each request.
struct Desk(ApproverClient);

impl Requests for Desk {
    async fn submit(&self, request: String) -> Result<String, RequestsSubmitError> {
        match self.0.approve(request).await {
            Ok(_) => Ok("approved".into()),
            Err(e) => Ok(format!("the approver failed: {e:?}")),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn layers_wrap_a_clients_callback_service_too() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let make = |connection: &Connection| {
        RequestsServer::new(Desk(ApproverClient::new(connection.callbacks())))
    };
    tokio::spawn(Server::builder().serve_with(listener, make, std::future::pending()));
    let callbacks = Layered::new(
        thrift_bidi_tests::generated::default::approvals::ApproverServer::new(Dawdling),
        ServiceBuilder::new().timeout(Duration::from_millis(50)),
    );
    // The typed builder takes an `Approver` handler; a layered one goes to the channel's.
    let channel = Channel::builder()
        .callbacks(callbacks)
        .call_timeout(BOUND)
        .connect(addr)
        .await
        .unwrap();
    let answer = RequestsClient::new(channel)
        .submit("x".into())
        .await
        .unwrap();
    assert!(answer.contains("Timeout"), "{answer}");
}
