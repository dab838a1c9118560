//! Generated services, our client against our server over real sockets
//! (`tests/idl/services.thrift`): inheritance, oneway, void, declared and undeclared
//! failures, unknown methods, on every transport × protocol over TCP and Unix sockets; and
//! many calls in flight on one connection.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::sync::{Arc, Mutex};
use std::time::Duration;

use thrift_bidi::protocol::Protocol;
use thrift_bidi::{ApplicationErrorKind, Bytes, Channel, Error, Server, Transport};
use thrift_bidi_tests::generated::default::services::{
    Base, BaseClient, Blob, Busy, Gone, Worker, WorkerClient, WorkerServer, WorkerWorkError,
};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::{mpsc, oneshot};

/// A `Worker` that keeps the notes it gets and the order in which `work` calls finish.
struct Handler {
    notes: mpsc::UnboundedSender<String>,
    finished: Mutex<Vec<String>>,
}

impl Base for Handler {
    async fn ping(&self, n: i32) -> Result<i32, Error> {
        Ok(n + 1)
    }
    async fn note(&self, text: String) -> Result<(), Error> {
        let _ = self.notes.send(text);
        Ok(())
    }
}

impl Worker for Handler {
    async fn work(&self, millis: i32, tag: String) -> Result<String, WorkerWorkError> {
        match u64::try_from(millis) {
            Err(_) => Err(WorkerWorkError::Busy(Busy {
                why: format!("{millis} ms"),
            })),
            Ok(0) => Err(WorkerWorkError::Gone(Gone { id: 7 })),
            Ok(millis) => {
                tokio::time::sleep(Duration::from_millis(millis)).await;
                self.finished.lock().unwrap().push(tag.clone());
                Ok(tag)
            }
        }
    }
    async fn nothing(&self) -> Result<(), Error> {
        Ok(())
    }
    async fn broken(&self) -> Result<(), Error> {
        Err(Error::internal("broken on purpose"))
    }
    async fn blob(&self, size: i32) -> Result<Blob, Error> {
        let size = usize::try_from(size).map_err(|_| Error::internal("negative size"))?;
        Ok(Blob {
            data: Bytes::from(vec![7; size]),
        })
    }
}

fn handler() -> (Arc<Handler>, mpsc::UnboundedReceiver<String>) {
    let (notes, received) = mpsc::unbounded_channel();
    let handler = Handler {
        notes,
        finished: Mutex::new(Vec::new()),
    };
    (Arc::new(handler), received)
}

/// Where a test server listens.
enum Address {
    Tcp(std::net::SocketAddr),
    Unix(std::path::PathBuf),
}

/// Serves `handler` until the returned sender is dropped.
async fn serve(
    handler: Arc<Handler>,
    transport: Transport,
    protocol: Protocol,
    unix: bool,
) -> (Address, oneshot::Sender<()>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown = async {
        let _ = stopped.await;
    };
    let server = Server::builder().transport(transport).protocol(protocol);
    let service = WorkerServer::from_arc(handler);
    if unix {
        let path = std::env::temp_dir().join(format!(
            "thrift-bidi-services-{}-{transport:?}-{protocol:?}.sock",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path).unwrap();
        tokio::spawn(server.serve(listener, service, shutdown));
        (Address::Unix(path), stop)
    } else {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(server.serve(listener, service, shutdown));
        (Address::Tcp(addr), stop)
    }
}

async fn connect(address: &Address, transport: Transport, protocol: Protocol) -> Channel {
    let builder = Channel::builder()
        .transport(transport)
        .protocol(protocol)
        .call_timeout(Duration::from_secs(20));
    match address {
        Address::Tcp(addr) => builder.connect(addr).await.unwrap(),
        Address::Unix(path) => builder.connect_unix(path).await.unwrap(),
    }
}

fn application_kind(error: &Error) -> Option<ApplicationErrorKind> {
    match error {
        Error::Application(exception) => Some(exception.kind),
        _ => None,
    }
}

/// Every kind of method and failure, on one connection.
async fn every_method(channel: Channel, notes: &mut mpsc::UnboundedReceiver<String>) {
    let client = WorkerClient::new(channel.clone());
    // Inherited from `Base`, on the client and through the server's dispatch.
    assert_eq!(client.ping(41).await.unwrap(), 42);
    // A `Base` client talks to a `Worker` server.
    assert_eq!(BaseClient::new(channel.clone()).ping(1).await.unwrap(), 2);
    client.note("hello".to_owned()).await.unwrap();
    let note = tokio::time::timeout(Duration::from_secs(10), notes.recv()).await;
    assert_eq!(note.unwrap().as_deref(), Some("hello"));
    client.nothing().await.unwrap();
    assert_eq!(client.work(1, "done".to_owned()).await.unwrap(), "done");
    match client.work(-5, String::new()).await {
        Err(WorkerWorkError::Busy(busy)) => assert_eq!(busy.why, "-5 ms"),
        other => panic!("want Busy, got {other:?}"),
    }
    match client.work(0, String::new()).await {
        Err(WorkerWorkError::Gone(gone)) => assert_eq!(gone.id, 7),
        other => panic!("want Gone, got {other:?}"),
    }
    let broken = client.broken().await.unwrap_err();
    assert_eq!(
        application_kind(&broken),
        Some(ApplicationErrorKind::InternalError),
        "{broken}"
    );
    let unknown = channel
        .call::<_, Blob>("noSuchMethod", &Blob::default())
        .await
        .unwrap_err();
    assert_eq!(
        application_kind(&unknown),
        Some(ApplicationErrorKind::UnknownMethod),
        "{unknown}"
    );
    let blob = client.blob(100_000).await.unwrap();
    assert_eq!(blob.data.len(), 100_000);
    // The connection still serves calls after all of that.
    assert_eq!(client.ping(0).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_method_on_every_transport_protocol_and_socket() {
    for unix in [false, true] {
        for transport in [Transport::Framed, Transport::Buffered] {
            for protocol in [Protocol::Binary, Protocol::Compact] {
                let (handler, mut notes) = handler();
                let (address, _stop) = serve(handler, transport, protocol, unix).await;
                let channel = connect(&address, transport, protocol).await;
                every_method(channel, &mut notes).await;
                if let Address::Unix(path) = address {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
    }
}

/// 1,000 calls in flight on one connection, sleeping for scattered times so that their
/// replies come back out of order: each caller gets its own answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_calls_in_flight_on_one_connection() {
    let (handler, _notes) = handler();
    let (address, _stop) = serve(handler.clone(), Transport::Framed, Protocol::Binary, false).await;
    let client = WorkerClient::new(connect(&address, Transport::Framed, Protocol::Binary).await);
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..1000 {
        let client = client.clone();
        // 1..=200 ms, scattered: i * 7919 mod 200.
        let millis = i * 7919 % 200 + 1;
        calls.spawn(async move { (i, client.work(millis, format!("call {i}")).await) });
    }
    let mut answered = 0;
    while let Some(joined) = calls.join_next().await {
        let (i, answer) = joined.unwrap();
        assert_eq!(answer.unwrap(), format!("call {i}"));
        answered += 1;
    }
    assert_eq!(answered, 1000);
    let finished = handler.finished.lock().unwrap().clone();
    let sent: Vec<String> = (0..1000).map(|i| format!("call {i}")).collect();
    assert_eq!(finished.len(), 1000);
    assert_ne!(
        finished, sent,
        "the replies should have come back out of order"
    );
}

/// A handler that sleeps holds up nothing else on its connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sleeping_handler_does_not_block_the_connection() {
    let (handler, _notes) = handler();
    let (address, _stop) = serve(handler, Transport::Framed, Protocol::Compact, false).await;
    let client = WorkerClient::new(connect(&address, Transport::Framed, Protocol::Compact).await);
    let slow = tokio::spawn({
        let client = client.clone();
        async move { client.work(60_000, "slow".to_owned()).await }
    });
    for n in 0..100 {
        assert_eq!(client.ping(n).await.unwrap(), n + 1);
    }
    assert!(!slow.is_finished(), "the slow call is still running");
    slow.abort();
}
