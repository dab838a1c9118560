//! Malformed THeader frames and JSON messages on real sockets: each closes its own connection,
//! with nothing answered, while the server goes on serving another client. Time bounds are
//! liveness bounds with wide margins.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::time::Duration;

use thrift_bidi::protocol::Protocol;
use thrift_bidi::{Codec, Server, Transport};
use thrift_bidi_tests::worker::{serve, Handler};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BOUND: Duration = Duration::from_secs(10);

/// A THeader frame: length, magic, flags, seqid 1, then `section` (padded) and `payload`,
/// built by hand from the format (Apache's `doc/specs/HeaderFormat.md`).
fn header_frame(section: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut section = section.to_vec();
    section.resize(section.len().next_multiple_of(4), 0);
    let mut frame = vec![0x0f, 0xff, 0, 0, 0, 0, 0, 1];
    frame.extend(u16::try_from(section.len() / 4).unwrap().to_be_bytes());
    frame.extend(section);
    frame.extend(payload);
    let mut out = u32::try_from(frame.len()).unwrap().to_be_bytes().to_vec();
    out.extend(frame);
    out
}

/// Sends `bytes` on a connection of its own: the server must close it without answering.
async fn closed_unanswered(addr: std::net::SocketAddr, bytes: &[u8]) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(BOUND, stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "closed in time");
    assert!(answer.is_empty(), "nothing answered: {answer:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_theader_frames_close_only_their_connection() {
    let codec = Codec {
        transport: Transport::Header,
        ..Codec::default()
    };
    let (handler, _notes) = Handler::new();
    let running = serve(Server::builder().codec(codec), handler, false).await;
    let addr = running.tcp();
    // Binary protocol id, one transform of id 9 (unknown).
    closed_unanswered(addr, &header_frame(&[0, 1, 9], b"")).await;
    // A header section of 40 words in a frame of a few bytes.
    let mut past = header_frame(&[0, 0], b"");
    past[13] = 40;
    closed_unanswered(addr, &past).await;
    // A varint past 32 bits.
    closed_unanswered(
        addr,
        &header_frame(&[0, 1, 0xff, 0xff, 0xff, 0xff, 0x7f], b""),
    )
    .await;
    // A frame that is neither THeader nor a binary or compact message.
    closed_unanswered(addr, &[0, 0, 0, 4, 1, 2, 3, 4]).await;
    running.still_serves_with(codec).await;
    running.still_serves().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_messages_close_only_their_connection() {
    for transport in [Transport::Framed, Transport::Buffered] {
        let codec = Codec {
            transport,
            protocol: Protocol::Json,
            ..Codec::default()
        };
        let (handler, _notes) = Handler::new();
        let running = serve(Server::builder().codec(codec), handler, false).await;
        for message in [
            &br#"[2,"ping",1,1,{}]"#[..],
            br#"[1,"ping",9,1,{}]"#,
            br#"{"not":"a message"}"#,
        ] {
            let bytes = match transport {
                Transport::Framed => {
                    let mut framed = u32::try_from(message.len()).unwrap().to_be_bytes().to_vec();
                    framed.extend(message);
                    framed
                }
                _ => message.to_vec(),
            };
            closed_unanswered(running.tcp(), &bytes).await;
        }
        running.still_serves_with(codec).await;
    }
}
