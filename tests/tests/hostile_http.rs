//! Requests an HTTP server must refuse, each with a clear status, while it serves everyone
//! else: the wrong method, the wrong or no content type, no body, a body over the frame limit
//! (declared, or sent chunked), a body trickled past the frame timeout, bodies that are not
//! one call, and headers never finished. And what it must take: a chunked body, and Apache's
//! `application/vnd.apache.thrift.compact` choosing the protocol. The requests go by hyper's
//! own client connection (or, for the unfinished headers, a bare socket); the messages are
//! built byte by byte from the protocols' specifications. Time bounds are liveness bounds.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Channel as BodyChannel, Full};
use hyper::header::{HeaderValue, ALLOW, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use thrift_bidi::{Channel, Codec, Server, ServerHttp};
use thrift_bidi_tests::generated::default::services::WorkerClient;
use thrift_bidi_tests::raw::{binary_message, i32_args, CALL, REPLY};
use thrift_bidi_tests::worker::{serve, Handler, Running};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BOUND: Duration = Duration::from_secs(10);
const MAX_FRAME: usize = 64 << 10;
const FRAME_TIMEOUT: Duration = Duration::from_millis(300);
const WRITE_TIMEOUT: Duration = Duration::from_millis(300);

async fn http_server() -> Running {
    let (handler, _notes) = Handler::new();
    let codec = Codec {
        max_frame: MAX_FRAME,
        ..Codec::default()
    };
    let server = Server::builder()
        .codec(codec)
        .frame_timeout(FRAME_TIMEOUT)
        .write_timeout(WRITE_TIMEOUT)
        .http(ServerHttp::new());
    serve(server, handler, false).await
}

/// Sends `request` on a connection of its own; the response, its body read whole.
async fn send<B>(running: &Running, request: Request<B>) -> Response<Bytes>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let stream = TcpStream::connect(running.tcp()).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let exchange = async {
        let response = sender.send_request(request).await.unwrap();
        let (parts, body) = response.into_parts();
        Response::from_parts(parts, body.collect().await.unwrap().to_bytes())
    };
    tokio::time::timeout(BOUND, exchange).await.unwrap()
}

fn post(content_type: Option<&str>, body: impl Into<Bytes>) -> Request<Full<Bytes>> {
    let mut request = Request::new(Full::new(body.into()));
    *request.method_mut() = Method::POST;
    *request.uri_mut() = "/".parse().unwrap();
    if let Some(content_type) = content_type {
        let value = HeaderValue::from_str(content_type).unwrap();
        request.headers_mut().insert(CONTENT_TYPE, value);
    }
    request
}

/// `ping(41)` in the binary protocol.
fn ping() -> Vec<u8> {
    binary_message(CALL, "ping", 9, &i32_args(41))
}

/// The binary reply to `ping()`: `{0: i32 42}`.
fn pong() -> Vec<u8> {
    binary_message(REPLY, "ping", 9, &[8, 0, 0, 0, 0, 0, 42, 0])
}

/// `response` has `status`, and its text says `why`.
fn refused(response: &Response<Bytes>, status: StatusCode, why: &str) {
    let text = String::from_utf8_lossy(response.body());
    assert_eq!(response.status(), status, "{text}");
    assert!(text.contains(why), "{status}: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_that_are_not_thrift_calls_get_a_clear_status() {
    let running = http_server().await;
    let x_thrift = Some("application/x-thrift");

    let mut get = post(x_thrift, ping());
    *get.method_mut() = Method::GET;
    let response = send(&running, get).await;
    refused(&response, StatusCode::METHOD_NOT_ALLOWED, "POST");
    assert_eq!(response.headers()[ALLOW], "POST");

    let response = send(&running, post(Some("text/plain"), ping())).await;
    refused(&response, StatusCode::UNSUPPORTED_MEDIA_TYPE, "x-thrift");
    let response = send(&running, post(None, ping())).await;
    refused(&response, StatusCode::UNSUPPORTED_MEDIA_TYPE, "x-thrift");
    let vnd_other = Some("application/vnd.apache.thrift.yaml");
    let response = send(&running, post(vnd_other, ping())).await;
    refused(&response, StatusCode::UNSUPPORTED_MEDIA_TYPE, "x-thrift");

    let response = send(&running, post(x_thrift, Bytes::new())).await;
    refused(&response, StatusCode::BAD_REQUEST, "no message");
    let response = send(
        &running,
        post(x_thrift, vec![0xde, 0xad, 0xbe, 0xef, 1, 2, 3]),
    )
    .await;
    refused(&response, StatusCode::BAD_REQUEST, "protocol");
    let response = send(&running, post(x_thrift, [ping(), ping()].concat())).await;
    refused(&response, StatusCode::BAD_REQUEST, "more than one message");
    let response = send(&running, post(x_thrift, ping()[..10].to_vec())).await;
    refused(&response, StatusCode::BAD_REQUEST, "");
    let response = send(&running, post(x_thrift, pong())).await;
    refused(
        &response,
        StatusCode::BAD_REQUEST,
        "a request's message is a call",
    );

    // Declared over the limit: refused before any of the body is sent.
    let answer = send_head_only(&running, MAX_FRAME + 1).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    still_serves(&running).await;
}

/// Sends the head of a POST whose body would be `len` bytes, and no body; what comes back.
async fn send_head_only(running: &Running, len: usize) -> String {
    let mut stream = TcpStream::connect(running.tcp()).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nhost: test\r\ncontent-type: application/x-thrift\r\ncontent-length: {len}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0; 512];
    let read = tokio::time::timeout(BOUND, stream.read(&mut answer)).await;
    String::from_utf8_lossy(&answer[..read.unwrap().unwrap()]).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_body_is_taken_and_an_oversized_one_refused() {
    let running = http_server().await;
    let chunked = |chunks: Vec<Vec<u8>>| {
        let (mut sender, body) = BodyChannel::<Bytes>::new(4);
        tokio::spawn(async move {
            for chunk in chunks {
                if sender.send_data(Bytes::from(chunk)).await.is_err() {
                    break;
                }
            }
        });
        let mut request = Request::new(body);
        *request.method_mut() = Method::POST;
        let value = HeaderValue::from_static("application/x-thrift");
        request.headers_mut().insert(CONTENT_TYPE, value);
        request
    };
    let call = ping();
    let pieces = call.chunks(3).map(<[u8]>::to_vec).collect();
    let response = send(&running, chunked(pieces)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(&response.body()[..], &pong()[..]);

    let over: Vec<_> = (0..=MAX_FRAME / 4096).map(|_| vec![0; 4096]).collect();
    let response = send(&running, chunked(over)).await;
    refused(
        &response,
        StatusCode::PAYLOAD_TOO_LARGE,
        "at most 65536 bytes",
    );
    still_serves(&running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickled_bodies_and_unfinished_headers_are_cut_off_and_others_served() {
    let running = http_server().await;
    let (mut sender, body) = BodyChannel::<Bytes>::new(1);
    let mut request = Request::new(body);
    *request.method_mut() = Method::POST;
    let value = HeaderValue::from_static("application/x-thrift");
    request.headers_mut().insert(CONTENT_TYPE, value);
    let trickle = tokio::spawn(async move {
        for byte in ping() {
            if sender.send_data(Bytes::from(vec![byte])).await.is_err() {
                break;
            }
            tokio::time::sleep(FRAME_TIMEOUT / 4).await;
        }
    });
    let response = send(&running, request).await;
    refused(&response, StatusCode::REQUEST_TIMEOUT, "did not arrive");
    trickle.abort();

    // Headers begun and never finished: the connection is closed.
    let mut stream = TcpStream::connect(running.tcp()).await.unwrap();
    stream
        .write_all(b"POST / HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(BOUND, stream.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "closed within the bound");
    still_serves(&running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apache_content_types_choose_the_protocol() {
    let running = http_server().await;
    // ping(41), seqid 9, in the compact protocol; and its reply, {0: i32 42}.
    let call = [&[0x82, 0x21, 9, 4][..], b"ping", &[0x15, 0x52, 0]].concat();
    let reply = [&[0x82, 0x41, 9, 4][..], b"ping", &[0x05, 0x00, 0x54, 0]].concat();
    let compact = "application/vnd.apache.thrift.compact";
    let response = send(&running, post(Some(compact), call)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], compact);
    assert_eq!(&response.body()[..], &reply[..]);
    let binary = "Application/Vnd.Apache.Thrift.Binary; charset=binary";
    let response = send(&running, post(Some(binary), ping())).await;
    assert_eq!(&response.body()[..], &pong()[..]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_dropped() {
    let running = http_server().await;
    let mut stream = TcpStream::connect(running.tcp()).await.unwrap();
    let blob = binary_message(CALL, "blob", 1, &i32_args(1 << 20));
    let head = format!(
        "POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-thrift\r\ncontent-length: {}\r\n\r\n",
        blob.len()
    );
    let request = [head.as_bytes(), &blob].concat();
    // 32 MiB of answers asked for, none read.
    for _ in 0..32 {
        stream.write_all(&request).await.unwrap();
    }
    still_serves(&running).await;
    tokio::time::sleep(WRITE_TIMEOUT * 4).await;
    let mut received = Vec::new();
    let drained = tokio::time::timeout(BOUND, stream.read_to_end(&mut received)).await;
    assert!(drained.is_ok(), "the server closed the connection");
    assert!(
        received.len() < 16 << 20,
        "{} bytes were sent",
        received.len()
    );
}

/// The server still answers an ordinary HTTP client.
async fn still_serves(running: &Running) {
    let channel = Channel::builder()
        .call_timeout(BOUND)
        .connect_http(&format!("http://{}/", running.tcp()))
        .unwrap();
    assert_eq!(WorkerClient::new(channel).ping(1).await.unwrap(), 2);
}
