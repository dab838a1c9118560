//! Hostile peers over real loopback sockets, with the generated `Worker` service: a client
//! that stops reading in the middle of large replies, frames trickled in or left unfinished,
//! panicking handlers. Each time the server keeps its stream intact and its other calls and
//! clients served. Every wait is bounded; the time bounds are liveness bounds with wide
//! margins, not performance claims.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::time::Duration;

use thrift::protocol::{TBinaryInputProtocol, TInputProtocol, TMessageType, TType};
use thrift::transport::TBufferChannel;
use thrift_bidi::protocol::Protocol;
use thrift_bidi::{ApplicationErrorKind, Error, Server, Transport};
use thrift_bidi_tests::generated::default::services::{WorkerClient, WorkerWorkError};
use thrift_bidi_tests::raw::{binary_message, framed, i32_args, CALL, REPLY};
use thrift_bidi_tests::worker::{connect, serve, Handler};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::time::timeout;

const BOUND: Duration = Duration::from_secs(10);

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
    let mut stream = TcpStream::connect(running.tcp()).await.unwrap();
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

/// Writes `bytes` one at a time, `gap` apart; stops quietly when the server has closed.
async fn trickle(mut stream: OwnedWriteHalf, bytes: Vec<u8>, gap: Duration) {
    for byte in bytes {
        if stream.write_all(&[byte]).await.is_err() {
            return;
        }
        tokio::time::sleep(gap).await;
    }
}

/// Reads until the server closes the connection, which it must do within `bound`; what it
/// sent before.
async fn closed_within(mut stream: OwnedReadHalf, bound: Duration) -> Vec<u8> {
    let mut received = Vec::new();
    let read = timeout(bound, stream.read_to_end(&mut received)).await;
    let _ = read.expect("the server closed the connection in time");
    received
}

/// A frame's bytes trickled in over ten times the frame timeout, and a frame cut short
/// followed by silence: each connection is closed soon after the frame timeout, with nothing
/// answered, while a client on another connection is served meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_must_arrive_whole_within_the_frame_timeout() {
    let (handler, _notes) = Handler::new();
    let server = Server::builder().frame_timeout(Duration::from_secs(1));
    let running = serve(server, handler, false).await;
    let call = framed(&binary_message(CALL, "ping", 1, &i32_args(1)));

    let (read, write) = TcpStream::connect(running.tcp())
        .await
        .unwrap()
        .into_split();
    let gap = Duration::from_millis(10_000 / u64::try_from(call.len()).unwrap());
    let trickling = tokio::spawn(trickle(write, call.clone(), gap));
    let (cut_read, mut cut_write) = TcpStream::connect(running.tcp())
        .await
        .unwrap()
        .into_split();
    cut_write.write_all(&call[..call.len() - 3]).await.unwrap();

    running.still_serves().await;
    let bound = Duration::from_secs(5);
    assert_eq!(closed_within(read, bound).await, b"", "nothing answered");
    assert_eq!(
        closed_within(cut_read, bound).await,
        b"",
        "nothing answered"
    );
    trickling.abort();
}

/// The buffered transport, where the server finds a message's end by walking its encoding: a
/// call trickled in a byte at a time (within the frame timeout) is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buffered_call_trickled_in_is_answered() {
    let (handler, _notes) = Handler::new();
    let server = Server::builder().transport(Transport::Buffered);
    let running = serve(server, handler, false).await;
    let call = binary_message(CALL, "ping", 5, &i32_args(41));
    let (mut read, write) = TcpStream::connect(running.tcp())
        .await
        .unwrap()
        .into_split();
    tokio::spawn(trickle(write, call, Duration::from_millis(5)));
    let mut reply = vec![0; 4 + 4 + 4 + 4 + 3 + 4 + 1];
    timeout(BOUND, read.read_exact(&mut reply))
        .await
        .unwrap()
        .unwrap();
    let expected = binary_message(REPLY, "ping", 5, &[8, 0, 0, 0, 0, 0, 42, 0]);
    assert_eq!(reply, expected);
}

/// A handler that panics fails its own call with an `INTERNAL_ERROR` application exception;
/// a call running beside it on the same connection is answered, and the connection serves
/// calls after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_fails_only_its_own_call() {
    let (handler, _notes) = Handler::new();
    let running = serve(Server::builder(), handler, false).await;
    let client =
        WorkerClient::new(connect(&running.address, Transport::Framed, Protocol::Binary).await);
    let beside = tokio::spawn({
        let client = client.clone();
        async move { client.work(500, "beside".to_owned()).await }
    });
    let panicked = timeout(BOUND, client.work(50, "panic".to_owned()))
        .await
        .unwrap();
    match panicked {
        Err(WorkerWorkError::Rpc(Error::Application(e))) => {
            assert_eq!(e.kind, ApplicationErrorKind::InternalError);
        }
        other => panic!("the panicking call got {other:?}"),
    }
    let beside = timeout(BOUND, beside).await.unwrap().unwrap();
    assert_eq!(beside.unwrap(), "beside");
    assert_eq!(timeout(BOUND, client.ping(1)).await.unwrap().unwrap(), 2);
}

/// Configured to, a server closes the connection of a handler that panics: the call beside
/// it fails with `Disconnected` at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_on_panic_closes_the_connection() {
    let (handler, _notes) = Handler::new();
    let running = serve(Server::builder().close_on_panic(true), handler, false).await;
    let client =
        WorkerClient::new(connect(&running.address, Transport::Framed, Protocol::Binary).await);
    let beside = tokio::spawn({
        let client = client.clone();
        async move { client.work(5_000, "beside".to_owned()).await }
    });
    let panicked = timeout(BOUND, client.work(50, "panic".to_owned()))
        .await
        .unwrap();
    assert!(
        matches!(panicked, Err(WorkerWorkError::Rpc(Error::Disconnected))),
        "{panicked:?}"
    );
    let beside = timeout(Duration::from_secs(2), beside)
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(beside, Err(WorkerWorkError::Rpc(Error::Disconnected))),
        "{beside:?}"
    );
}

/// A connection on which nothing happens is closed at the idle timeout; one whose client
/// calls now and then, each time within the timeout, is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_is_closed_and_a_busy_one_is_not() {
    let (handler, _notes) = Handler::new();
    let server = Server::builder().idle_timeout(Duration::from_secs(1));
    let running = serve(server, handler, false).await;
    let (idle, _idle_write) = TcpStream::connect(running.tcp())
        .await
        .unwrap()
        .into_split();
    let busy =
        WorkerClient::new(connect(&running.address, Transport::Framed, Protocol::Binary).await);
    for n in 0..8 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(timeout(BOUND, busy.ping(n)).await.unwrap().unwrap(), n + 1);
    }
    assert_eq!(closed_within(idle, Duration::from_secs(5)).await, b"");
}

/// A peer that floods calls and never reads the answers: its answers back up, its calls are
/// refused, the refusals back up too, and the server closes the connection (long before the
/// write timeout, which the test sets far out of reach), while serving another client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_floods_calls_and_never_reads_is_closed() {
    let (handler, _notes) = Handler::new();
    let server = Server::builder().write_timeout(Duration::from_mins(10));
    let running = serve(server, handler, false).await;
    let (read, mut write) = TcpStream::connect(running.tcp())
        .await
        .unwrap()
        .into_split();
    let call = framed(&binary_message(CALL, "ping", 1, &i32_args(1)));
    let batch = call.repeat(1_000);
    let flooding = tokio::spawn(async move {
        let mut sent = 0;
        while write.write_all(&batch).await.is_ok() {
            sent += 1_000;
        }
        sent
    });
    running.still_serves().await;
    let sent = timeout(Duration::from_secs(30), flooding)
        .await
        .expect("the server closed the flooding connection")
        .unwrap();
    println!("the server closed a peer that sent {sent} calls without reading");
    drop(read);
}
