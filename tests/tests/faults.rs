//! Faults over real loopback sockets, with the generated `Worker` service: peers that leave
//! mid-call (either side), garbage and oversized frames, arguments that do not decode, and a
//! thousand connections opened and dropped. Each time the server keeps serving others, every
//! pending call gets an error, and no task is left behind. Every wait is bounded.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::time::Duration;

use thrift::protocol::{TBinaryInputProtocol, TInputProtocol, TMessageType};
use thrift::transport::TBufferChannel;
use thrift_bidi::protocol::Protocol;
use thrift_bidi::{Error, Server, Transport};
use thrift_bidi_tests::generated::default::services::{WorkerClient, WorkerWorkError};
use thrift_bidi_tests::raw::{binary_message, framed, i32_args, CALL, REPLY};
use thrift_bidi_tests::worker::{connect, serve, Address, Handler};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

const BOUND: Duration = Duration::from_secs(10);

/// Reads until the peer closes; how many bytes came.
async fn read_until_closed(stream: &mut TcpStream) -> usize {
    let mut buf = vec![0; 64 << 10];
    let mut total = 0;
    loop {
        let read = timeout(BOUND, stream.read(&mut buf)).await;
        match read.expect("the server closes the connection in time") {
            Ok(0) | Err(_) => return total,
            Ok(n) => total += n,
        }
    }
}

/// A client that leaves in the middle of a call frees its connection at once: with room for
/// one connection only, the next client is served long before the abandoned call would end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_leaving_mid_call_frees_its_connection() {
    let (handler, _notes) = Handler::new();
    let running = serve(Server::builder().max_connections(1), handler.clone(), false).await;
    let first =
        WorkerClient::new(connect(&running.address, Transport::Framed, Protocol::Binary).await);
    let call = tokio::spawn(async move { first.work(60_000, "abandoned".to_owned()).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    call.abort();
    running.still_serves().await;
    assert!(handler.finished().is_empty());
}

/// A server that leaves in the middle of calls fails every one of them, and later calls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_leaving_mid_call_fails_every_pending_call() {
    for transport in [Transport::Framed, Transport::Buffered] {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = Address::Tcp(listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut buf = [0; 16];
            let _ = stream.read(&mut buf).await;
            // Half of a call read, then gone.
        });
        let client = WorkerClient::new(connect(&address, transport, Protocol::Binary).await);
        let mut calls = tokio::task::JoinSet::new();
        for i in 0..5 {
            let client = client.clone();
            calls.spawn(async move { client.work(10, format!("{i}")).await });
        }
        server.await.unwrap();
        while let Some(joined) = timeout(BOUND, calls.join_next()).await.unwrap() {
            match joined.unwrap() {
                Err(WorkerWorkError::Rpc(Error::Disconnected | Error::Io(_))) => {}
                other => panic!("want a disconnect, got {other:?}"),
            }
        }
        let later = timeout(BOUND, client.ping(1)).await.unwrap();
        assert!(matches!(later, Err(Error::Disconnected)), "{later:?}");
        assert!(client.channel().is_closed());
    }
}

/// Bytes that are no Thrift message close their connection only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_and_oversized_frames_close_only_their_connection() {
    let cases: [(Transport, &[u8]); 5] = [
        (Transport::Framed, b"\x00\x00\x00\x0bhello world"),
        // A frame claiming 2 GiB.
        (Transport::Framed, b"\x7f\xff\xff\xff\x80\x01\x00\x01"),
        // A frame claiming a negative length.
        (Transport::Framed, b"\xff\xff\xff\xf0"),
        // An HTTP request to a Thrift port.
        (Transport::Buffered, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        // A strict header naming a 1 GiB method.
        (Transport::Buffered, b"\x80\x01\x00\x01\x40\x00\x00\x00ping"),
    ];
    for (transport, garbage) in cases {
        let (handler, _notes) = Handler::new();
        let server = Server::builder().transport(transport);
        let running = serve(server, handler, false).await;
        let mut stream = TcpStream::connect(running.tcp()).await.unwrap();
        stream.write_all(garbage).await.unwrap();
        read_until_closed(&mut stream).await;
        let channel = connect(&running.address, transport, Protocol::Binary).await;
        let answer = timeout(BOUND, WorkerClient::new(channel).ping(1)).await;
        assert_eq!(answer.unwrap().unwrap(), 2, "after {garbage:?}");
    }
}

/// Arguments that do not decode get a `PROTOCOL_ERROR` application exception (read with
/// Apache's `thrift` crate), and the connection goes on serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arguments_that_do_not_decode_get_a_protocol_error() {
    let (handler, _notes) = Handler::new();
    let running = serve(Server::builder(), handler, false).await;
    let mut stream = TcpStream::connect(running.tcp()).await.unwrap();
    // ping's field 1 as a list of i32 claiming 2^31 - 1 elements, with none there.
    let args = [15, 0, 1, 8, 0x7f, 0xff, 0xff, 0xff, 0];
    stream
        .write_all(&framed(&binary_message(CALL, "ping", 1, &args)))
        .await
        .unwrap();
    let reply = read_frame(&mut stream).await;
    let mut channel = TBufferChannel::with_capacity(reply.len(), 0);
    channel.set_readable_bytes(&reply);
    let mut input = TBinaryInputProtocol::new(channel, true);
    let header = input.read_message_begin().unwrap();
    assert_eq!(
        (
            header.name.as_str(),
            header.message_type,
            header.sequence_number
        ),
        ("ping", TMessageType::Exception, 1)
    );
    let exception = thrift::Error::read_application_error_from_in_protocol(&mut input).unwrap();
    assert_eq!(
        exception.kind,
        thrift::ApplicationErrorKind::ProtocolError,
        "{exception:?}"
    );
    stream
        .write_all(&framed(&binary_message(CALL, "ping", 1, &i32_args(41))))
        .await
        .unwrap();
    let reply = read_frame(&mut stream).await;
    assert_eq!(&reply[..4], [0x80, 0x01, 0x00, 0x02], "a REPLY");
}

async fn read_frame(stream: &mut TcpStream) -> Vec<u8> {
    let mut len = [0; 4];
    timeout(BOUND, stream.read_exact(&mut len))
        .await
        .unwrap()
        .unwrap();
    let mut frame = vec![0; usize::try_from(u32::from_be_bytes(len)).unwrap()];
    timeout(BOUND, stream.read_exact(&mut frame))
        .await
        .unwrap()
        .unwrap();
    frame
}

/// A thousand connections, opened in waves of 200 and dropped: silent, half a frame, or
/// a whole call left unread. The server goes on serving, and its tasks go back to what they
/// were before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_connections_opened_and_dropped() {
    let (handler, _notes) = Handler::new();
    let running = serve(Server::builder(), handler, false).await;
    running.still_serves().await;
    let metrics = tokio::runtime::Handle::current().metrics();
    let before = metrics.num_alive_tasks();
    let call = framed(&binary_message(CALL, "ping", 1, &i32_args(1)));
    for _wave in 0..5 {
        let mut streams = Vec::new();
        for i in 0..200 {
            let mut stream = TcpStream::connect(running.tcp()).await.unwrap();
            match i % 3 {
                0 => {}
                1 => stream.write_all(&call[..call.len() / 2]).await.unwrap(),
                _ => stream.write_all(&call).await.unwrap(),
            }
            streams.push(stream);
        }
        drop(streams);
    }
    running.still_serves().await;
    let settled = timeout(BOUND, async {
        while metrics.num_alive_tasks() > before {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        settled.is_ok(),
        "tasks alive: {} before, {} after",
        before,
        metrics.num_alive_tasks()
    );
}

/// A binary-protocol REPLY of `method` with `seqid` and `result` (the encoded result struct).
fn binary_reply(method: &str, seqid: [u8; 4], result: &[u8]) -> Vec<u8> {
    binary_message(REPLY, method, i32::from_be_bytes(seqid), result)
}

/// What a fake server answers to a call, given its method and seqid.
type Answer = fn(&str, [u8; 4]) -> Vec<u8>;

/// A server that answers each call with what `answer` makes of its method and seqid.
async fn fake_server(answer: Answer) -> Address {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = Address::Tcp(listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        loop {
            let mut len = [0; 4];
            if stream.read_exact(&mut len).await.is_err() {
                return;
            }
            let mut call = vec![0; usize::try_from(u32::from_be_bytes(len)).unwrap()];
            stream.read_exact(&mut call).await.unwrap();
            let name_len =
                usize::try_from(u32::from_be_bytes(call[4..8].try_into().unwrap())).unwrap();
            let method = std::str::from_utf8(&call[8..8 + name_len]).unwrap();
            let seqid = call[8 + name_len..12 + name_len].try_into().unwrap();
            stream
                .write_all(&framed(&answer(method, seqid)))
                .await
                .unwrap();
        }
    });
    address
}

/// Replies that do not answer the call are application errors, as in Apache's clients: one
/// naming another method is `WRONG_METHOD_NAME`, one without a result is `MISSING_RESULT`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_that_do_not_answer_the_call_are_application_errors() {
    let cases: [(Answer, thrift_bidi::ApplicationErrorKind); 2] = [
        (
            |_, seqid| binary_reply("pong", seqid, &[0]),
            thrift_bidi::ApplicationErrorKind::WrongMethodName,
        ),
        (
            |method, seqid| binary_reply(method, seqid, &[0]),
            thrift_bidi::ApplicationErrorKind::MissingResult,
        ),
    ];
    for (answer, kind) in cases {
        let address = fake_server(answer).await;
        let client =
            WorkerClient::new(connect(&address, Transport::Framed, Protocol::Binary).await);
        match timeout(BOUND, client.ping(1)).await.unwrap() {
            Err(Error::Application(exception)) => assert_eq!(exception.kind, kind),
            other => panic!("want {kind:?}, got {other:?}"),
        }
    }
}
