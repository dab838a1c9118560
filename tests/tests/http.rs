//! The HTTP transport on real loopback sockets, with the generated `Worker` service: calls in
//! every protocol and in THeader frames, declared and undeclared failures, oneways, concurrent
//! calls over a small pool of kept-alive connections (connections counted at the listener),
//! HTTPS with the test PKI, callbacks reported unavailable on both sides, and a graceful
//! shutdown. (What the client sends, and how its calls fail: `http_client.rs`.) Time bounds
//! are liveness bounds with wide margins.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use thrift_bidi::protocol::Protocol;
use thrift_bidi::{
    Callbacks, Channel, ClientHttp, ClientTls, Codec, Connection, Error, Listener, Server,
    ServerHttp, ServerTls, Transport,
};
use thrift_bidi_tests::cert;
use thrift_bidi_tests::generated::default::services::{
    WorkerClient, WorkerServer, WorkerWorkError,
};
use thrift_bidi_tests::worker::Handler;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

const BOUND: Duration = Duration::from_secs(10);

/// A listener that counts the connections it accepts.
struct Counting(TcpListener, Arc<AtomicUsize>);

impl Listener for Counting {
    type Stream = TcpStream;
    async fn accept(&mut self) -> io::Result<TcpStream> {
        let (stream, _) = self.0.accept().await?;
        stream.set_nodelay(true)?;
        self.1.fetch_add(1, Ordering::Relaxed);
        Ok(stream)
    }
}

/// An HTTP server of `handler` with `server`'s settings: where it listens, the connections it
/// accepted so far, and (while held) its life.
struct Http {
    addr: std::net::SocketAddr,
    accepted: Arc<AtomicUsize>,
    /// The server's connections, as its per-connection code saw them.
    connections: Arc<Mutex<Vec<Connection>>>,
    _stop: oneshot::Sender<()>,
}

async fn http_server(server: Server, handler: Arc<Handler>) -> Http {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let connections = Arc::new(Mutex::new(Vec::new()));
    let (stop, stopped) = oneshot::channel::<()>();
    let seen = connections.clone();
    let make = move |connection: &Connection| {
        seen.lock().unwrap().push(connection.clone());
        WorkerServer::from_arc(handler.clone())
    };
    let listener = Counting(listener, accepted.clone());
    tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        server.serve_with(listener, make, shutdown).await;
    });
    Http {
        addr,
        accepted,
        connections,
        _stop: stop,
    }
}

fn url(http: &Http) -> String {
    format!("http://{}/thrift", http.addr)
}

fn client(http: &Http, codec: Codec) -> WorkerClient {
    let channel = Channel::builder()
        .codec(codec)
        .call_timeout(BOUND)
        .connect_http(&url(http))
        .unwrap();
    WorkerClient::new(channel)
}

/// Every kind of answer arrives over `client`.
async fn answers_everything(client: &WorkerClient) {
    assert_eq!(client.ping(41).await.unwrap(), 42);
    assert_eq!(client.work(5, "tag".into()).await.unwrap(), "tag");
    assert!(matches!(
        client.work(-1, String::new()).await,
        Err(WorkerWorkError::Busy(busy)) if busy.why == "-1 ms"
    ));
    let broken = client.broken().await.unwrap_err().to_string();
    assert!(broken.contains("broken on purpose"), "{broken}");
    assert_eq!(client.blob(300_000).await.unwrap().data.len(), 300_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_go_over_http_in_every_protocol_and_in_theader_frames() {
    for transport in [
        Transport::Framed,
        Transport::Header,
        Transport::HeaderInFramed,
    ] {
        for protocol in [Protocol::Binary, Protocol::Compact, Protocol::Json] {
            if transport.ne(&Transport::Framed) && protocol == Protocol::Json {
                continue; // THeader carries binary and compact only.
            }
            let codec = Codec {
                transport,
                protocol,
                ..Codec::default()
            };
            let (handler, mut notes) = Handler::new();
            let server = Server::builder().codec(codec).http(ServerHttp::new());
            let http = http_server(server, handler).await;
            let client = client(&http, codec);
            answers_everything(&client).await;
            client
                .note(format!("{transport:?} {protocol:?}"))
                .await
                .unwrap();
            let note = tokio::time::timeout(BOUND, notes.recv()).await.unwrap();
            assert_eq!(note.unwrap(), format!("{transport:?} {protocol:?}"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sequential_calls_keep_one_connection_and_concurrent_ones_share_a_small_pool() {
    let (handler, _notes) = Handler::new();
    let http = http_server(Server::builder().http(ServerHttp::new()), handler).await;
    let one = client(&http, Codec::default());
    for n in 0..50 {
        assert_eq!(one.ping(n).await.unwrap(), n + 1);
    }
    assert_eq!(http.accepted.load(Ordering::Relaxed), 1, "kept alive");

    let channel = Channel::builder()
        .http(ClientHttp::new().max_connections(3))
        .connect_http(&url(&http))
        .unwrap();
    let pooled = WorkerClient::new(channel);
    let calls = (0..24).map(|n| {
        let pooled = pooled.clone();
        async move { pooled.work(20, format!("call {n}")).await }
    });
    let answers = tokio::time::timeout(BOUND, futures_join_all(calls))
        .await
        .unwrap();
    for (n, answer) in answers.into_iter().enumerate() {
        assert_eq!(answer.unwrap(), format!("call {n}"));
    }
    let accepted = http.accepted.load(Ordering::Relaxed) - 1;
    assert!(
        (2..=3).contains(&accepted),
        "{accepted} connections for 3 at once"
    );
}

/// Runs the futures at once, their outputs in order.
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let tasks: Vec<_> = futures.map(tokio::spawn).collect();
    let mut outputs = Vec::new();
    for task in tasks {
        outputs.push(task.await.unwrap());
    }
    outputs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_the_test_pki_and_client_certificates() {
    let tls = ServerTls::with_client_auth(cert("server.pem"), cert("server.key"), cert("ca.pem"))
        .unwrap();
    let (handler, _notes) = Handler::new();
    let server = Server::builder().tls(tls).http(ServerHttp::new());
    let http = http_server(server, handler).await;
    let port = http.addr.port();
    let trusted = ClientTls::ca_file(cert("ca.pem"))
        .unwrap()
        .client_certificate(cert("client.pem"), cert("client.key"))
        .unwrap();
    for host in ["localhost", "127.0.0.1"] {
        let channel = Channel::builder()
            .tls(trusted.clone())
            .call_timeout(BOUND)
            .connect_http(&format!("https://{host}:{port}/"))
            .unwrap();
        answers_everything(&WorkerClient::new(channel)).await;
    }
    let chains: Vec<_> = http.connections.lock().unwrap().clone();
    assert!(chains
        .iter()
        .all(|connection| connection.peer().certificates().is_some()));

    // The wrong CA fails the call, with TLS's reason.
    let untrusted = ClientTls::ca_file(cert("other-ca.pem")).unwrap();
    let channel = Channel::builder()
        .tls(untrusted)
        .call_timeout(BOUND)
        .connect_http(&format!("https://localhost:{port}/"))
        .unwrap();
    let refused = WorkerClient::new(channel)
        .ping(1)
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("certificate"), "{refused}");
    // Plain HTTP to the HTTPS server fails too.
    let plain = Channel::builder()
        .call_timeout(BOUND)
        .connect_http(&format!("http://127.0.0.1:{port}/"))
        .unwrap();
    assert!(WorkerClient::new(plain).ping(1).await.is_err());
    // An https URL without the channel's TLS is refused at once.
    let no_tls = Channel::builder().connect_http(&format!("https://localhost:{port}/"));
    assert!(no_tls.unwrap_err().to_string().contains("TLS"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_are_unavailable_over_http_on_both_sides() {
    let (handler, _notes) = Handler::new();
    let http = http_server(Server::builder().http(ServerHttp::new()), handler.clone()).await;
    let channel = Channel::builder()
        .callbacks(WorkerServer::from_arc(handler))
        .call_timeout(BOUND)
        .connect_http(&url(&http))
        .unwrap();
    assert_eq!(channel.callbacks(), Callbacks::Unavailable);
    let client = WorkerClient::new(channel);
    assert_eq!(client.ping(1).await.unwrap(), 2);
    let connection = http.connections.lock().unwrap()[0].clone();
    assert!(!connection.has_callbacks());
    let back = WorkerClient::new(connection.callbacks());
    assert!(matches!(back.ping(1).await, Err(Error::Unavailable)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_answers_the_request_under_way_then_closes() {
    let (handler, _notes) = Handler::new();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = Server::builder()
        .shutdown_timeout(BOUND)
        .http(ServerHttp::new());
    let serving = tokio::spawn(
        server.serve(listener, WorkerServer::from_arc(handler), async {
            let _ = stopped.await;
        }),
    );
    let client = WorkerClient::new(
        Channel::builder()
            .call_timeout(BOUND)
            .connect_http(&format!("http://{addr}/"))
            .unwrap(),
    );
    let slow = {
        let client = client.clone();
        tokio::spawn(async move { client.work(500, "finished".into()).await })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    stop.send(()).unwrap();
    assert_eq!(slow.await.unwrap().unwrap(), "finished");
    tokio::time::timeout(BOUND, serving).await.unwrap().unwrap();
    assert!(client.ping(1).await.is_err(), "nobody serves any more");
}
