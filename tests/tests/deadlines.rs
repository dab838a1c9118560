//! Deadlines that travel, on real loopback sockets. Over THeader a client's deadline reaches
//! the server's handler as the time left (`client_timeout`); past it the handler is cancelled
//! and the client gets `Error::Timeout`. A callback the handler awaits carries what is left,
//! and the client's callback handler is cancelled in turn. Other calls on the connection go
//! on. A handler that fails because a call it made timed out answers TIMEOUT too. Over HTTP
//! the deadline travels in an HTTP header. Over a framed transport, which
//! carries no headers, it stays local. Cancellations are counted by guards dropped before
//! their handler finished. Time bounds are liveness bounds with wide margins.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use thrift_bidi::{call, Channel, Connection, Error, Server, ServerHttp, Transport};
use thrift_bidi_tests::generated::default::approvals::{
    Approver, ApproverApproveError, ApproverClient, Requests, RequestsClient, RequestsServer,
    RequestsSubmitError,
};
use thrift_bidi_tests::generated::default::services::{WorkerClient, WorkerWorkError};
use thrift_bidi_tests::worker::{serve, Handler};
use tokio::net::TcpListener;

const DEADLINE: Duration = Duration::from_millis(50);
const BOUND: Duration = Duration::from_secs(5);
const SLOW: Duration = Duration::from_secs(1);

/// What one side's handlers saw: the time each call had left when it began, and how many were
/// cancelled before they finished.
#[derive(Default)]
struct Seen {
    left: Mutex<Vec<Option<Duration>>>,
    cancelled: AtomicUsize,
}

impl Seen {
    /// Records the running call's time left; the guard counts the call cancelled unless it is
    /// defused when the call finishes.
    fn begin(self: &Arc<Self>) -> Unfinished {
        let left = call::context().and_then(|cx| cx.remaining());
        self.left.lock().unwrap().push(left);
        Unfinished(Some(self.clone()))
    }
}

/// Counts its call cancelled when dropped before [`Unfinished::finished`].
struct Unfinished(Option<Arc<Seen>>);

impl Unfinished {
    fn finished(mut self) {
        self.0 = None;
    }
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        if let Some(seen) = &self.0 {
            seen.cancelled.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// The server: has the client approve each request.
struct Desk {
    approver: ApproverClient,
    seen: Arc<Seen>,
}

impl Requests for Desk {
    async fn submit(&self, request: String) -> Result<String, RequestsSubmitError> {
        let unfinished = self.seen.begin();
        let approved = self.approver.approve(request.clone()).await?;
        unfinished.finished();
        Ok(format!("{request}: {approved}"))
    }
}

/// The client's callback: slow for requests named "slow".
struct Approving(Arc<Seen>);

impl Approver for Approving {
    async fn approve(&self, request: String) -> Result<bool, ApproverApproveError> {
        let unfinished = self.0.begin();
        if request == "slow" {
            tokio::time::sleep(SLOW).await;
        }
        unfinished.finished();
        Ok(true)
    }
}

/// A desk server on `transport`, and what its handlers saw.
async fn desk(transport: Transport) -> (std::net::SocketAddr, Arc<Seen>) {
    desk_with(transport, None).await
}

/// A desk server on `transport` whose calls back time out after `callback_timeout`, if given.
async fn desk_with(
    transport: Transport,
    callback_timeout: Option<Duration>,
) -> (std::net::SocketAddr, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Seen::default());
    let server_seen = seen.clone();
    let make = move |connection: &Connection| {
        let callbacks = connection.callbacks();
        let callbacks = match callback_timeout {
            Some(timeout) => callbacks.with_call_timeout(timeout),
            None => callbacks,
        };
        RequestsServer::new(Desk {
            approver: ApproverClient::new(callbacks),
            seen: server_seen.clone(),
        })
    };
    let server = Server::builder().transport(transport);
    tokio::spawn(server.serve_with(listener, make, std::future::pending()));
    (addr, seen)
}

/// A client on `transport` serving `Approving`, and what its callback handler saw.
async fn client(addr: std::net::SocketAddr, transport: Transport) -> (Channel, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let builder = RequestsClient::builder(Approving(seen.clone())).transport(transport);
    (builder.connect(addr).await.unwrap(), seen)
}

/// Waits (within the bound) until `count` reaches `n`.
async fn reaches(count: &AtomicUsize, n: usize) {
    let waited = tokio::time::timeout(BOUND, async {
        while count.load(Ordering::SeqCst) < n {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    assert!(
        waited.await.is_ok(),
        "{} of {n}",
        count.load(Ordering::SeqCst)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_theader_the_deadline_cancels_the_handler_and_its_callback() {
    let (addr, server) = desk(Transport::Header).await;
    let (channel, callbacks) = client(addr, Transport::Header).await;
    let requests = RequestsClient::new(channel.clone());
    let hurried = RequestsClient::new(channel.with_call_timeout(DEADLINE));

    // Another call, without a deadline, in flight all along.
    let other = tokio::spawn({
        let requests = requests.clone();
        async move { requests.submit("slow".into()).await }
    });
    let started = Instant::now();
    let timed_out = hurried.submit("slow".into()).await;
    let took = started.elapsed();
    assert!(
        matches!(timed_out, Err(RequestsSubmitError::Rpc(Error::Timeout))),
        "{timed_out:?}"
    );
    assert!(took < DEADLINE + BOUND, "{took:?}");

    // Both handlers of the hurried call are cancelled: the server's at its deadline, and the
    // client's callback at the time left that it was given.
    reaches(&server.cancelled, 1).await;
    reaches(&callbacks.cancelled, 1).await;
    let server_left = server.left.lock().unwrap().clone();
    assert!(
        server_left
            .iter()
            .any(|left| left.is_some_and(|left| left <= DEADLINE)),
        "the server's handler knew its deadline: {server_left:?}"
    );
    assert!(
        server_left.contains(&None),
        "the other call has none: {server_left:?}"
    );
    let callback_left = callbacks.left.lock().unwrap().clone();
    assert!(
        callback_left
            .iter()
            .any(|left| left.is_some_and(|left| left <= DEADLINE)),
        "the callback inherited what was left: {callback_left:?}"
    );

    // The other call finishes, and the connection serves new calls.
    let other = tokio::time::timeout(BOUND, other).await.unwrap().unwrap();
    assert_eq!(other.unwrap(), "slow: true");
    assert_eq!(requests.submit("fast".into()).await.unwrap(), "fast: true");
    assert_eq!(server.cancelled.load(Ordering::SeqCst), 1);
    assert_eq!(callbacks.cancelled.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_failing_because_its_own_call_timed_out_answers_timeout() {
    // Over a framed transport no deadline travels: the server's call back times out on its own
    // timeout, and the handler's `?` passes `Error::Timeout` on. The caller hears TIMEOUT, as
    // when the handler's deadline passed (the two race when a deadline was inherited), not an
    // internal error.
    let (addr, server) = desk_with(Transport::Framed, Some(DEADLINE)).await;
    let (channel, _) = client(addr, Transport::Framed).await;
    let answered = RequestsClient::new(channel).submit("slow".into()).await;
    assert!(
        matches!(answered, Err(RequestsSubmitError::Rpc(Error::Timeout))),
        "{answered:?}"
    );
    assert_eq!(
        server.cancelled.load(Ordering::SeqCst),
        1,
        "the handler failed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_a_framed_transport_the_deadline_stays_local() {
    let (addr, server) = desk(Transport::Framed).await;
    let (channel, callbacks) = client(addr, Transport::Framed).await;
    let hurried = RequestsClient::new(channel.with_call_timeout(DEADLINE));
    let timed_out = hurried.submit("slow".into()).await;
    assert!(
        matches!(timed_out, Err(RequestsSubmitError::Rpc(Error::Timeout))),
        "{timed_out:?}"
    );
    // Nobody told the server: its handler runs to the end, as does the callback.
    tokio::time::sleep(SLOW + Duration::from_millis(300)).await;
    assert_eq!(server.cancelled.load(Ordering::SeqCst), 0);
    assert_eq!(callbacks.cancelled.load(Ordering::SeqCst), 0);
    assert_eq!(*server.left.lock().unwrap(), vec![None]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_http_the_deadline_travels_in_an_http_header() {
    let (handler, _notes) = Handler::new();
    let running = serve(
        Server::builder().http(ServerHttp::new()),
        handler.clone(),
        false,
    )
    .await;
    let channel = Channel::builder()
        .call_timeout(DEADLINE)
        .connect_http(&format!("http://{}/", running.tcp()))
        .unwrap();
    let client = WorkerClient::new(channel);
    let timed_out = client.work(1_000, "late".into()).await;
    assert!(
        matches!(timed_out, Err(WorkerWorkError::Rpc(Error::Timeout))),
        "{timed_out:?}"
    );
    assert_eq!(client.work(5, "soon".into()).await.unwrap(), "soon");
    // The late call was cancelled on the server: it never finishes.
    tokio::time::sleep(SLOW + Duration::from_millis(300)).await;
    assert_eq!(handler.finished(), vec!["soon".to_owned()]);
}
