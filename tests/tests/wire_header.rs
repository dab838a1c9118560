//! THeader against Apache's Python library (the version the venv pins):
//!
//! 1. the golden vectors (`tests/vectors/header.txt`, by `tests/python/header_vectors.py`) are
//!    what Apache's Python client writes today for `testString("hello")`, in binary and
//!    compact, with headers and with the zlib transform;
//! 2. our client writes the same bytes for the same call (the zlib ones aside: two zlib
//!    implementations need not compress alike), and Apache's Python reads every frame we
//!    write, zlib ones included, to the same call and headers;
//! 3. our server reads every vector, and answers in THeader with the call's protocol and its
//!    headers echoed, which Apache's Python client side reads;
//! 4. one THeader server answers framed and unframed binary and compact clients too, and
//!    THeader frames inside frames (Apache's THeader protocol over its framed transport),
//!    each as it spoke.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};
use thrift_bidi::protocol::Protocol;
use thrift_bidi::{Channel, Codec, Headers, Server, Transport};
use thrift_bidi_tests::cross::handler::Handler;
use thrift_bidi_tests::generated::default::thrift_test::{ThriftTestClient, ThriftTestServer};
use thrift_bidi_tests::generated_dir;
use thrift_bidi_tests::reencode::{hex, unhex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/python/header_vectors.py");

/// The vectors: name, bytes.
fn vectors() -> Vec<(String, Vec<u8>)> {
    let file =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors/header.txt"))
            .unwrap();
    file.lines()
        .map(|line| {
            let (name, hex) = line.split_once('\t').unwrap();
            (name.to_owned(), unhex(hex))
        })
        .collect()
}

/// What each vector holds: its protocol, its headers, and whether it is compressed.
fn setting(name: &str) -> (Protocol, Headers, bool) {
    let protocol = if name.starts_with("compact") {
        Protocol::Compact
    } else {
        Protocol::Binary
    };
    let headers: Headers = match name {
        "binary-headers" => [("user", "alice"), ("trace", "t-1")].into_iter().collect(),
        "compact-headers" => [("k", ""), ("", "v")].into_iter().collect(),
        "compact-zlib-headers" => [("user", "bob")].into_iter().collect(),
        _ => Headers::new(),
    };
    (protocol, headers, name.contains("zlib"))
}

/// Runs the Python script in `mode` over `frames`: its JSON answer for each.
fn python(mode: &str, frames: &[Vec<u8>]) -> Vec<Value> {
    let mut child = Command::new(thrift_bidi_tests::venv_python())
        .args([SCRIPT, mode])
        .arg(generated_dir().join("gen-py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input: String = frames.iter().map(|frame| hex(frame) + "\n").collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// What Apache's Python reads from a THeader frame of `testString("hello")` (or its reply)
/// in `protocol` with `headers`.
fn apache_reads(protocol: Protocol, headers: &Headers) -> Value {
    let id = if protocol == Protocol::Compact { 2 } else { 0 };
    json!({
        "client_type": 0, "protocol_id": id, "headers": headers_json(headers),
        "method": "testString", "seqid": 1, "thing": "hello",
    })
}

/// A THeader server of ThriftTest (the cross test's handler, which echoes headers).
async fn header_server() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Server::builder().transport(Transport::Header);
    let service = ThriftTestServer::new(Handler);
    tokio::spawn(server.serve(listener, service, std::future::pending()));
    addr
}

fn headers_json(headers: &Headers) -> Value {
    let map: BTreeMap<String, String> = headers
        .iter()
        .map(|(k, v)| {
            (
                String::from_utf8(k.to_vec()).unwrap(),
                String::from_utf8(v.to_vec()).unwrap(),
            )
        })
        .collect();
    json!(map)
}

#[test]
fn the_golden_vectors_are_what_apache_python_writes() {
    let recorded = Command::new(thrift_bidi_tests::venv_python())
        .args([SCRIPT, "record"])
        .arg(generated_dir().join("gen-py"))
        .output()
        .unwrap();
    assert!(recorded.status.success());
    let file =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors/header.txt")).unwrap();
    assert!(
        recorded.stdout == file,
        "tests/vectors/header.txt is not what the script records now"
    );
    assert_eq!(vectors().len(), 6);
}

/// What our client writes for `testString("hello")` in `setting`: the first frame a
/// listener receives.
async fn our_frame(protocol: Protocol, headers: Headers, zlib: bool) -> Vec<u8> {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let codec = Codec {
        transport: Transport::Header,
        protocol,
        header_zlib: zlib,
        ..Codec::default()
    };
    let channel = Channel::builder().codec(codec).connect(addr).await.unwrap();
    let client = ThriftTestClient::new(channel.with_headers(headers));
    let call = tokio::spawn(async move { client.test_string("hello".into()).await });
    let (mut stream, _) = listener.accept().await.unwrap();
    let frame = read_frame(&mut stream).await;
    call.abort();
    frame
}

/// One length-prefixed frame, its length word included.
async fn read_frame(stream: &mut TcpStream) -> Vec<u8> {
    let mut len = [0; 4];
    stream.read_exact(&mut len).await.unwrap();
    let mut frame = len.to_vec();
    frame.resize(4 + u32::from_be_bytes(len) as usize, 0);
    stream.read_exact(&mut frame[4..]).await.unwrap();
    frame
}

#[tokio::test]
async fn our_client_writes_what_apache_writes_and_apache_reads_it() {
    let mut ours = Vec::new();
    let mut expected = Vec::new();
    for (name, vector) in vectors() {
        let (protocol, headers, zlib) = setting(&name);
        let frame = our_frame(protocol, headers.clone(), zlib).await;
        if !zlib {
            assert_eq!(hex(&frame), hex(&vector), "{name}");
        }
        ours.push(frame);
        expected.push(apache_reads(protocol, &headers));
    }
    assert_eq!(python("read", &ours), expected);
}

#[tokio::test]
async fn our_server_reads_apaches_frames_and_answers_in_kind() {
    let addr = header_server().await;
    let mut replies = Vec::new();
    let mut expected = Vec::new();
    for (name, vector) in vectors() {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(&vector).await.unwrap();
        replies.push(read_frame(&mut stream).await);
        let (protocol, headers, _) = setting(&name);
        expected.push(apache_reads(protocol, &headers));
    }
    assert_eq!(python("read-reply", &replies), expected);
}

#[tokio::test]
async fn a_header_server_answers_framed_and_unframed_clients_as_they_speak() {
    let addr = header_server().await;
    for transport in [
        Transport::Framed,
        Transport::Buffered,
        Transport::Header,
        Transport::HeaderInFramed,
    ] {
        for protocol in [Protocol::Binary, Protocol::Compact] {
            let channel = Channel::builder()
                .transport(transport)
                .protocol(protocol)
                .connect(addr)
                .await
                .unwrap();
            let client = ThriftTestClient::new(channel);
            for n in 0..3 {
                let answer = client.test_i32(n).await;
                assert_eq!(answer.unwrap(), n, "{transport:?} {protocol:?}");
            }
        }
    }
}

/// Headers go both ways: the server's handler sees the call's, and the client the reply's.
#[tokio::test]
async fn headers_reach_the_handler_and_come_back_on_the_reply() {
    let addr = header_server().await;
    let channel = Channel::builder()
        .transport(Transport::Header)
        .connect(addr)
        .await
        .unwrap();
    let sent: Headers = [("user", "carol"), ("deadline", "5s")]
        .into_iter()
        .collect();
    let client = ThriftTestClient::new(channel.with_headers(sent.clone()));
    let (answer, received) =
        thrift_bidi::call::with_reply_headers(client.test_string("x".into())).await;
    assert_eq!(answer.unwrap(), "x");
    assert_eq!(received, sent, "the handler echoed them");
    let (_, none) = thrift_bidi::call::with_reply_headers(client.test_i32(1)).await;
    assert!(none.is_empty(), "test_i32 sets none: {none:?}");
}
