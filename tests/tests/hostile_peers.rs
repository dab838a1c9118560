//! Hostile peers over real loopback sockets, with the generated `Worker` service: a client
//! that stops reading in the middle of large replies, frames trickled in or left unfinished,
//! panicking handlers. Each time the server keeps its stream intact and its other calls and
//! clients served. Every wait is bounded; the time bounds are liveness bounds with wide
//! margins, not performance claims.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::time::Duration;

use thrift::protocol::{TBinaryInputProtocol, TInputProtocol, TMessageType, TType};
use thrift::transport::TBufferChannel;
use thrift_bidi::Server;
use thrift_bidi_tests::raw::{binary_message, framed, i32_args, CALL};
use thrift_bidi_tests::worker::{serve, Address, Handler, Running};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

const BOUND: Duration = Duration::from_secs(10);

fn tcp(running: &Running) -> std::net::SocketAddr {
    match running.address {
        Address::Tcp(addr) => addr,
        Address::Unix(_) => unreachable!("these tests serve on TCP"),
    }
}

/// Checks one frame with Apache's decoder: a REPLY to `blob` with `seqid`, carrying `size`
/// bytes of 7s.
fn check_blob_reply(frame: &[u8], seqid: i32, size: usize) {
    let mut channel = TBufferChannel::with_capacity(frame.len(), 0);
    channel.set_readable_bytes(frame);
    let mut input = TBinaryInputProtocol::new(channel, true);
    let header = input.read_message_begin().expect("a message header");
    assert_eq!(
        (
            header.name.as_str(),
            header.message_type,
            header.sequence_number
        ),
        ("blob", TMessageType::Reply, seqid)
    );
    input.read_struct_begin().unwrap();
    let success = input.read_field_begin().unwrap();
    assert_eq!((success.field_type, success.id), (TType::Struct, Some(0)));
    input.read_struct_begin().unwrap();
    let data = input.read_field_begin().unwrap();
    assert_eq!((data.field_type, data.id), (TType::String, Some(1)));
    let bytes = input.read_bytes().unwrap();
    assert!(
        bytes.len() == size && bytes.iter().all(|&b| b == 7),
        "intact data"
    );
}

/// A client asks for 48 MiB of replies (small ones, so that some arrive whole), far more than the socket buffers hold, and reads
/// nothing for one and a half times the server's write timeout; then it reads everything. What it gets
/// is whole replies, each intact and in order, then possibly the start of one that was cut
/// off, then the end of the stream: never a byte sent twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_reader_gets_intact_frames_then_the_end() {
    const CALLS: i32 = 1_500;
    const SIZE: usize = 32 << 10;
    let (handler, _notes) = Handler::new();
    let server = Server::builder().write_timeout(Duration::from_secs(2));
    let running = serve(server, handler, false).await;
    let mut stream = TcpStream::connect(tcp(&running)).await.unwrap();
    for seqid in 1..=CALLS {
        let call = binary_message(CALL, "blob", seqid, &i32_args(i32::try_from(SIZE).unwrap()));
        stream.write_all(&framed(&call)).await.unwrap();
    }
    tokio::time::sleep(Duration::from_secs(3)).await;

    let mut received = Vec::new();
    let read_all = timeout(BOUND, stream.read_to_end(&mut received)).await;
    // A reset after the server gave up is an end too; what came before it is checked.
    let _ = read_all.expect("the server closes the stream in time");
    let mut rest = &received[..];
    let mut whole = 0;
    while let Some((len, body)) = rest.split_first_chunk::<4>() {
        let len = usize::try_from(u32::from_be_bytes(*len)).unwrap();
        if body.len() < len {
            // The reply that was being written when the server gave up.
            assert!(len < SIZE + 64, "a frame length of {len}: not a reply's");
            break;
        }
        whole += 1;
        check_blob_reply(&body[..len], whole, SIZE);
        rest = &body[len..];
    }
    assert!(whole > 0, "replies were written before the stall");
    assert!(whole < CALLS, "the server gave up on the stalled reader");
    println!("paused reader: {whole} whole replies, then the end");
}
