//! The golden transcript of a bidirectional session (`tests/vectors/bidi.txt`): every message
//! encoded by Apache's Python library (`tests/python/bidi_vectors.py`, which the first test
//! checks still writes it), in the order docs/bidi.md has a session go: the hello and its
//! answer, a call, the server's calls back (two-way and oneway) while the call runs, and the
//! call's reply. Its client side is played against our jobs server, and its server side
//! against our jobs client; what each of ours sends must be the transcript's, byte for byte.
//! The Python library plays the same transcript (`python/tests/test_transcript.py`).
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::collections::HashMap;
use std::process::Command;
use std::time::Duration;

use idl_examples::jobs::JobsClient;
use idl_examples::work::{checksum, Inputs, Worker};
use thrift_bidi::{Bytes, Server};
use thrift_bidi_tests::reencode::unhex;
use thrift_bidi_tests::{generated_dir, venv_python};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/bidi.txt");
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/python/bidi_vectors.py");
const BOUND: Duration = Duration::from_secs(10);

/// The transcript: who sends each frame (`c` or `s`), what it is, and its bytes.
fn transcript() -> Vec<(char, String, Vec<u8>)> {
    let text = std::fs::read_to_string(VECTORS).unwrap();
    text.lines()
        .map(|line| {
            let mut parts = line.split('\t');
            let side = parts.next().unwrap().chars().next().unwrap();
            let what = parts.next().unwrap().to_owned();
            (side, what, unhex(parts.next().unwrap()))
        })
        .collect()
}

/// Plays `ours` (`c` or `s`) of the transcript on `stream`: sends those frames, and reads
/// each of the others from the peer, which must be the transcript's.
async fn play(stream: &mut TcpStream, ours: char) {
    for (side, what, frame) in transcript() {
        if side == ours {
            stream.write_all(&frame).await.unwrap();
            continue;
        }
        let mut length = [0; 4];
        let read = tokio::time::timeout(BOUND, stream.read_exact(&mut length)).await;
        read.unwrap_or_else(|_| panic!("no {what}")).unwrap();
        let mut body = vec![0; u32::from_be_bytes(length) as usize];
        stream.read_exact(&mut body).await.unwrap();
        let got = [&length[..], &body].concat();
        assert_eq!(
            thrift_bidi_tests::reencode::hex(&got),
            thrift_bidi_tests::reencode::hex(&frame),
            "{what}"
        );
    }
}

#[test]
fn the_transcript_is_what_apache_python_writes() {
    let out = Command::new(venv_python())
        .arg(SCRIPT)
        .arg("record")
        .arg(generated_dir().join("gen-py"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recorded = std::fs::read_to_string(VECTORS).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), recorded);
}

#[tokio::test]
async fn our_server_answers_the_transcripts_client_side() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let make = |connection: &thrift_bidi::Connection| Worker::serve(connection, false);
    tokio::spawn(Server::builder().serve_with(listener, make, std::future::pending()));
    let mut stream = TcpStream::connect(addr).await.unwrap();
    play(&mut stream, 'c').await;
}

#[tokio::test]
async fn our_client_answers_the_transcripts_server_side() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let client = tokio::spawn(async move {
        let files = HashMap::from([("in.txt".to_owned(), Bytes::from_static(b"abc"))]);
        let builder = JobsClient::builder(Inputs::new(files, false));
        let jobs = JobsClient::new(builder.connect(addr).await.unwrap());
        jobs.checksum("in.txt".into()).await.unwrap()
    });
    let (mut stream, _) = listener.accept().await.unwrap();
    play(&mut stream, 's').await;
    let sum = tokio::time::timeout(BOUND, client).await.unwrap().unwrap();
    assert_eq!(sum, checksum(b"abc"));
}
