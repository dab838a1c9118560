//! Authorizing calls from the TLS peer's identity through a layer, on real loopback sockets
//! with the test PKI: an unmodified tower filter checks the certificate the client presented
//! (found in the call's context) against an allowlist, stores who the caller is in the
//! context for the handler, and refuses everyone else before the handler runs.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::sync::Arc;

use thrift_bidi::call::{self, BoxError, Layered};
use thrift_bidi::rustls::pki_types::pem::PemObject;
use thrift_bidi::rustls::pki_types::CertificateDer;
use thrift_bidi::{Channel, ClientTls, Error, Incoming, Server, ServerTls};
use thrift_bidi_tests::cert;
use thrift_bidi_tests::generated::default::approvals::{
    Requests, RequestsClient, RequestsServer, RequestsSubmitError,
};
use tokio::net::TcpListener;
use tower::filter::FilterLayer;

/// Who the layer found the caller to be.
#[derive(Clone, Debug)]
struct User(String);

/// Answers with the caller the layer named.
struct Greeter;

impl Requests for Greeter {
    async fn submit(&self, request: String) -> Result<String, RequestsSubmitError> {
        let user = call::context().and_then(|cx| cx.get::<User>());
        let user = user.ok_or_else(|| Error::internal("no user: the layer did not run"))?;
        Ok(format!("{request}, {}", user.0))
    }
}

/// A server that admits the holders of the certificates in `allowed` (named), over mutual TLS.
async fn serve(allowed: Vec<(CertificateDer<'static>, &'static str)>) -> std::net::SocketAddr {
    let allowed = Arc::new(allowed);
    let authorize = FilterLayer::new(move |call: Incoming| -> Result<Incoming, BoxError> {
        let cx = call::context().ok_or("not in a call")?;
        let presented = cx.peer().certificates().and_then(<[_]>::first);
        let user = presented.and_then(|presented| {
            allowed
                .iter()
                .find(|(known, _)| known == presented)
                .map(|(_, name)| *name)
        });
        let user = user.ok_or("not authorized: an unknown client certificate")?;
        cx.insert(User(user.to_owned()));
        Ok(call)
    });
    let service = Layered::new(RequestsServer::new(Greeter), authorize);
    let tls = ServerTls::with_client_auth(cert("server.pem"), cert("server.key"), cert("ca.pem"))
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        Server::builder()
            .tls(tls)
            .serve(listener, service, std::future::pending()),
    );
    addr
}

async fn client(addr: std::net::SocketAddr) -> RequestsClient {
    let tls = ClientTls::ca_file(cert("ca.pem"))
        .unwrap()
        .client_certificate(cert("client.pem"), cert("client.key"))
        .unwrap();
    RequestsClient::new(Channel::builder().tls(tls).connect(addr).await.unwrap())
}

fn certificate(name: &str) -> CertificateDer<'static> {
    CertificateDer::from_pem_file(cert(name)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_layer_authorizes_by_the_client_certificate_and_names_the_caller() {
    let addr = serve(vec![(certificate("client.pem"), "alice")]).await;
    let answer = client(addr).await.submit("hello".into()).await.unwrap();
    assert_eq!(answer, "hello, alice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_certificate_is_refused_before_the_handler_runs() {
    // The CA vouches for the client, but the allowlist does not name it.
    let addr = serve(vec![(certificate("server.pem"), "the server")]).await;
    let refused = client(addr).await.submit("hello".into()).await;
    match refused {
        Err(RequestsSubmitError::Rpc(Error::Application(e))) => {
            assert!(e.message.contains("not authorized"), "{e}");
        }
        other => panic!("want the call refused, got {other:?}"),
    }
}
