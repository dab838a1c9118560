//! TLS on real loopback sockets with the generated `Worker` service and the test PKI
//! (`tests/certs`): CA-verified and mutual TLS, the client's certificate in the server's
//! per-connection code, SNI names, the user's own rustls configurations; and what must fail,
//! failing with a clear error while the server serves everyone else: a wrong CA, an expired
//! certificate, a wrong name, no client certificate, plain TCP against TLS either way, a
//! client silent in the handshake. Time bounds are liveness bounds with wide margins.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::sync::{Arc, Mutex};
use std::time::Duration;

use thrift_bidi::rustls::pki_types::pem::PemObject;
use thrift_bidi::rustls::pki_types::CertificateDer;
use thrift_bidi::{rustls, Channel, ClientTls, Error, Server, ServerTls};
use thrift_bidi_tests::cert;
use thrift_bidi_tests::generated::default::services::{WorkerClient, WorkerServer};
use thrift_bidi_tests::worker::{serve, Address, Handler, Running};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

const BOUND: Duration = Duration::from_secs(10);

fn server_tls() -> ServerTls {
    ServerTls::from_pem_files(cert("server.pem"), cert("server.key")).unwrap()
}

fn client_tls() -> ClientTls {
    ClientTls::ca_file(cert("ca.pem")).unwrap()
}

async fn tls_server(tls: ServerTls) -> Running {
    let (handler, _notes) = Handler::new();
    serve(Server::builder().tls(tls), handler, false).await
}

fn tcp(running: &Running) -> std::net::SocketAddr {
    match running.address {
        Address::Tcp(addr) => addr,
        Address::Unix(_) => unreachable!("served on TCP"),
    }
}

async fn connect(running: &Running, tls: ClientTls) -> Result<Channel, Error> {
    let builder = Channel::builder()
        .tls(tls)
        .connect_timeout(BOUND)
        .call_timeout(BOUND);
    builder.connect(tcp(running)).await
}

/// A call over `tls` answers.
async fn answers(running: &Running, tls: ClientTls) {
    let client = WorkerClient::new(connect(running, tls).await.unwrap());
    assert_eq!(client.ping(1).await.unwrap(), 2);
    assert_eq!(client.blob(300_000).await.unwrap().data.len(), 300_000);
}

/// The error of connecting, or else of the first call: a TLS client may learn that the server
/// refused its handshake only when it calls.
async fn first_failure(connected: Result<Channel, Error>) -> Error {
    match connected {
        Err(error) => error,
        Ok(channel) => WorkerClient::new(channel).ping(1).await.unwrap_err(),
    }
}

/// Connecting (or the first call) with `tls` fails, and the error says `because`.
async fn refused(running: &Running, tls: ClientTls, because: &str) {
    let message = first_failure(connect(running, tls).await).await.to_string();
    assert!(message.contains(because), "{because}: {message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_go_over_tls_to_a_server_the_ca_vouches_for() {
    let running = tls_server(server_tls()).await;
    answers(&running, client_tls()).await;
    answers(&running, client_tls().server_name("localhost").unwrap()).await;
    answers(&running, client_tls().server_name("127.0.0.1").unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_ca_an_expired_certificate_and_a_wrong_name_are_refused() {
    let running = tls_server(server_tls()).await;
    let other = ClientTls::ca_file(cert("other-ca.pem")).unwrap();
    refused(&running, other, "UnknownIssuer").await;
    let wrong_name = client_tls().server_name("example.com").unwrap();
    refused(&running, wrong_name, "not valid for name \"example.com\"").await;
    let expired =
        tls_server(ServerTls::from_pem_files(cert("expired.pem"), cert("expired.key")).unwrap())
            .await;
    refused(&expired, client_tls(), "certificate expired").await;
    // Only a test's client takes a certificate it cannot check.
    answers(
        &expired,
        ClientTls::dangerous_accept_any_server_certificate_for_tests().unwrap(),
    )
    .await;
    answers(&running, client_tls()).await;
}

/// What the per-connection code of a mutual-TLS server saw of each client.
type Seen = Arc<Mutex<Vec<Option<Vec<CertificateDer<'static>>>>>>;

async fn mutual_tls_server(seen: Seen) -> std::net::SocketAddr {
    let tls = ServerTls::with_client_auth(cert("server.pem"), cert("server.key"), cert("ca.pem"))
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (handler, _notes) = Handler::new();
    let make = move |connection: &thrift_bidi::Connection| {
        seen.lock()
            .unwrap()
            .push(connection.peer().certificates().map(<[_]>::to_vec));
        WorkerServer::from_arc(handler.clone())
    };
    tokio::spawn(
        Server::builder()
            .tls(tls)
            .serve_with(listener, make, std::future::pending()),
    );
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_tls_shows_the_server_the_client_certificate() {
    let seen = Seen::default();
    let addr = mutual_tls_server(seen.clone()).await;
    let with_certificate = client_tls()
        .client_certificate(cert("client.pem"), cert("client.key"))
        .unwrap();
    let channel = Channel::builder()
        .tls(with_certificate)
        .connect(addr)
        .await
        .unwrap();
    assert_eq!(WorkerClient::new(channel).ping(5).await.unwrap(), 6);
    let expected = CertificateDer::from_pem_file(cert("client.pem")).unwrap();
    assert_eq!(seen.lock().unwrap().as_slice(), [Some(vec![expected])]);

    // Without a certificate the handshake fails on the server's side; the client learns at
    // its first call at the latest.
    let without = Channel::builder()
        .tls(client_tls())
        .call_timeout(BOUND)
        .connect(addr)
        .await;
    let failed = first_failure(without).await;
    assert!(!matches!(failed, Error::Timeout), "{failed}");
    assert_eq!(seen.lock().unwrap().len(), 1, "no service was made for it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_tcp_and_tls_do_not_mix_either_way() {
    let running = tls_server(server_tls()).await;
    let plain = Channel::builder()
        .call_timeout(BOUND)
        .connect(tcp(&running))
        .await
        .unwrap();
    let error = WorkerClient::new(plain).ping(1).await.unwrap_err();
    assert!(
        matches!(error, Error::Disconnected | Error::Io(_)),
        "{error}"
    );
    answers(&running, client_tls()).await;

    let (handler, _notes) = Handler::new();
    let plain_server = serve(Server::builder(), handler, false).await;
    let error = connect(&plain_server, client_tls()).await.unwrap_err();
    assert!(matches!(error, Error::Io(_)), "{error}");
    plain_server.still_serves().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_silent_in_the_handshake_is_dropped_and_holds_up_nobody() {
    let (handler, _notes) = Handler::new();
    let server = Server::builder()
        .tls(server_tls())
        .tls_handshake_timeout(Duration::from_secs(1));
    let running = serve(server, handler, false).await;
    let mut silent = TcpStream::connect(tcp(&running)).await.unwrap();
    answers(&running, client_tls()).await;
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(BOUND, silent.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "dropped after the handshake timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_users_own_rustls_configurations_are_used_as_they_are() {
    // The provider the runtime's own configurations use (deprecated for lacking post-quantum
    // key exchange; see `io/tls.rs`).
    #[allow(deprecated)]
    let provider = || Arc::new(rustls::crypto::ring::default_provider());
    let chain = CertificateDer::pem_file_iter(cert("server.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::from_pem_file(cert("server.key")).unwrap();
    let mut server = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    server.alpn_protocols = vec![b"thrift".to_vec()];
    let running = tls_server(ServerTls::from_config(Arc::new(server))).await;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(cert("ca.pem")).unwrap())
        .unwrap();
    let client = |alpn: &[u8], version: &'static rustls::SupportedProtocolVersion| {
        let mut config = rustls::ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(&[version])
            .unwrap()
            .with_root_certificates(roots.clone())
            .with_no_client_auth();
        config.alpn_protocols = vec![alpn.to_vec()];
        ClientTls::from_config(Arc::new(config))
    };
    answers(&running, client(b"thrift", &rustls::version::TLS13)).await;
    // The server's ALPN list and TLS 1.3 minimum are the user's, so these are refused.
    refused(
        &running,
        client(b"h2", &rustls::version::TLS13),
        "NoApplicationProtocol",
    )
    .await;
    refused(
        &running,
        client(b"thrift", &rustls::version::TLS12),
        "ProtocolVersion",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_runs_over_unix_sockets_given_a_server_name() {
    let (handler, _notes) = Handler::new();
    let running = serve(Server::builder().tls(server_tls()), handler, true).await;
    let Address::Unix(path) = &running.address else {
        unreachable!("served on a Unix socket")
    };
    let named = client_tls().server_name("localhost").unwrap();
    let channel = Channel::builder()
        .tls(named)
        .connect_unix(path)
        .await
        .unwrap();
    assert_eq!(WorkerClient::new(channel).ping(2).await.unwrap(), 3);
    let unnamed = Channel::builder()
        .tls(client_tls())
        .connect_unix(path)
        .await;
    let error = unnamed.map(drop).unwrap_err().to_string();
    assert!(error.contains("needs a server name"), "{error}");
}
