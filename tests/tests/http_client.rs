//! What the HTTP client sends and how its calls fail, on real loopback sockets: the URL's
//! path and the extra headers reach the server (a bare hyper server that records them, its
//! replies built byte by byte); a request refused, a server not there (then there), and a
//! request over its timeout each fail their own call, and the channel goes on; URLs and
//! headers that are not HTTP are refused at once. Time bounds are liveness bounds.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::sync::{Arc, Mutex};
use std::time::Duration;

use thrift_bidi::{Bytes, Channel, ClientHttp, Error, Server, ServerHttp};
use thrift_bidi_tests::generated::default::services::{
    WorkerClient, WorkerServer, WorkerWorkError,
};
use thrift_bidi_tests::raw::{binary_message, REPLY};
use thrift_bidi_tests::worker::{serve, Handler};
use tokio::net::TcpListener;

const BOUND: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_request_fails_its_call_alone() {
    let (handler, _notes) = Handler::new();
    let server = Server::builder().http(ServerHttp::new().path("/thrift"));
    let running = serve(server, handler, false).await;
    let wrong_path = Channel::builder()
        .call_timeout(BOUND)
        .connect_http(&format!("http://{}/elsewhere", running.tcp()))
        .unwrap();
    let refused = WorkerClient::new(wrong_path).ping(1).await.unwrap_err();
    assert!(
        matches!(&refused, Error::Http { status: Some(404), message } if message.contains("no Thrift service")),
        "{refused}"
    );

    // Nobody listens: the call fails, and the channel calls again once a server is there.
    let spare = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = spare.local_addr().unwrap();
    drop(spare);
    let client = WorkerClient::new(
        Channel::builder()
            .call_timeout(BOUND)
            .connect_http(&format!("http://{addr}/"))
            .unwrap(),
    );
    let refused = client.ping(1).await.unwrap_err();
    assert!(
        matches!(refused, Error::Http { status: None, .. }),
        "{refused}"
    );
    let listener = TcpListener::bind(addr).await.unwrap();
    let (handler, _notes) = Handler::new();
    let late = tokio::spawn(Server::builder().http(ServerHttp::new()).serve(
        listener,
        WorkerServer::from_arc(handler),
        std::future::pending(),
    ));
    assert_eq!(client.ping(1).await.unwrap(), 2);
    late.abort();

    // A slow handler past the request timeout fails that call; the next one is answered.
    let slow = Channel::builder()
        .http(ClientHttp::new().request_timeout(Duration::from_millis(200)))
        .connect_http(&format!("http://{}/thrift", running.tcp()))
        .unwrap();
    let slow = WorkerClient::new(slow);
    let timed_out = slow.work(3_000, "late".into()).await;
    assert!(
        matches!(timed_out, Err(WorkerWorkError::Rpc(Error::Timeout))),
        "{timed_out:?}"
    );
    assert_eq!(slow.ping(5).await.unwrap(), 6);
}

/// What a bare hyper server saw of one request: method, path, headers.
type Seen = (String, String, hyper::HeaderMap);

/// A hyper server on loopback that answers every `ping` with `{0: i32 42}` (the reply built
/// byte by byte, with the call's seqid) and records what each request looked like.
async fn recording_server() -> (std::net::SocketAddr, Arc<Mutex<Vec<Seen>>>) {
    use http_body_util::{BodyExt, Full};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let record = record.clone();
            let answer = hyper::service::service_fn(
                move |request: hyper::Request<hyper::body::Incoming>| {
                    let record = record.clone();
                    async move {
                        let (parts, body) = request.into_parts();
                        let call = body.collect().await?.to_bytes();
                        let seen = (
                            parts.method.to_string(),
                            parts.uri.to_string(),
                            parts.headers,
                        );
                        record.lock().unwrap().push(seen);
                        // The call's seqid follows its version word and its name ("ping").
                        let seqid = i32::from_be_bytes(call[12..16].try_into().unwrap());
                        let reply =
                            binary_message(REPLY, "ping", seqid, &[8, 0, 0, 0, 0, 0, 42, 0]);
                        Ok::<_, hyper::Error>(hyper::Response::new(Full::new(Bytes::from(reply))))
                    }
                },
            );
            let io = hyper_util::rt::TokioIo::new(stream);
            tokio::spawn(hyper::server::conn::http1::Builder::new().serve_connection(io, answer));
        }
    });
    (addr, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_carry_the_path_and_the_extra_headers() {
    let (addr, seen) = recording_server().await;
    let http = ClientHttp::new()
        .header("authorization", "Bearer abc")
        .unwrap()
        .header("x-tenant", "blue")
        .unwrap();
    let channel = Channel::builder()
        .http(http)
        .call_timeout(BOUND)
        .connect_http(&format!("http://{addr}/api/thrift?v=2"))
        .unwrap();
    let client = WorkerClient::new(channel);
    assert_eq!(client.ping(41).await.unwrap(), 42);
    assert_eq!(client.ping(41).await.unwrap(), 42);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    for (method, path, headers) in seen {
        assert_eq!(method, "POST");
        assert_eq!(path, "/api/thrift?v=2");
        assert_eq!(headers["content-type"], "application/x-thrift");
        assert_eq!(headers["authorization"], "Bearer abc");
        assert_eq!(headers["x-tenant"], "blue");
        assert_eq!(headers["host"], addr.to_string());
    }
}

#[test]
fn a_url_that_is_not_http_is_refused() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _entered = runtime.enter();
    for url in ["ftp://127.0.0.1:1/", "127.0.0.1:1", "http://[::1"] {
        let refused = Channel::builder().connect_http(url).unwrap_err();
        assert!(
            matches!(refused, Error::Http { status: None, .. }),
            "{url}: {refused}"
        );
    }
    let header = ClientHttp::new().header("bad name", "x").unwrap_err();
    assert!(header.to_string().contains("header name"), "{header}");
}
