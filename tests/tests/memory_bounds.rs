//! A connection's memory is bounded in bytes, whatever its peer claims or sends: the global
//! allocator counts every byte this process holds (server and hostile clients alike) and is
//! capped, so an allocation over the cap aborts this test binary, failing the test. One
//! test, running its cases one after another, so that nothing else allocates meanwhile.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::time::Duration;

use cap::Cap;
use thrift_bidi::protocol::{Limits, Protocol, ProtocolErrorKind};
use thrift_bidi::{Bytes, Server};
use thrift_bidi_tests::generated::default::thrift_test::Insanity;
use thrift_bidi_tests::raw::{binary_message, framed, string_args, ONEWAY};
use thrift_bidi_tests::worker::{serve, Handler};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::timeout;

#[global_allocator]
static ALLOCATOR: Cap<std::alloc::System> = Cap::new(std::alloc::System, usize::MAX);

const MIB: usize = 1 << 20;
const BOUND: Duration = Duration::from_secs(30);

/// Runs `case` with the allocator capped at `cap` bytes above what is held before it; `case`
/// measures what it holds at its worst with the function it is given.
async fn capped<F, Fut>(cap: usize, case: F)
where
    F: FnOnce(Box<dyn Fn() -> usize + Send>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let baseline = ALLOCATOR.allocated();
    ALLOCATOR.set_limit(baseline + cap).unwrap();
    case(Box::new(move || {
        ALLOCATOR.allocated().saturating_sub(baseline) / MIB
    }))
    .await;
    ALLOCATOR.set_limit(usize::MAX).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_per_connection_is_bounded_in_bytes() {
    let (handler, mut notes) = Handler::new();
    // Notes are counted as the handler gets them, and dropped.
    let (counted, mut count) = tokio::sync::watch::channel(0);
    tokio::spawn(async move {
        while notes.recv().await.is_some() {
            counted.send_modify(|n| *n += 1);
        }
    });
    let running = serve(Server::builder(), handler, false).await;
    let addr = running.tcp();

    // 500 connections, each sending a frame header that claims 16 MiB and nothing more: the
    // server reads each header and waits for the body, reserving nothing for it (it would
    // take 8 GB if it did).
    capped(256 * MIB, |held| async move {
        let claim = u32::try_from(16 * MIB).unwrap().to_be_bytes();
        let mut streams = Vec::new();
        for _ in 0..500 {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream.write_all(&claim).await.unwrap();
            streams.push(stream);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let held = held();
        println!("500 headers claiming 16 MiB each: {held} MiB held");
        assert!(held < 64, "{held} MiB held");
    })
    .await;

    // One oneway that sleeps, then 100 oneways of 4 MiB each behind it (400 MiB): the server
    // holds what its incoming budget allows and stops reading until the sleeping one is done;
    // then every oneway is handled, in order, none lost.
    let oneway = framed(&binary_message(
        ONEWAY,
        "note",
        1,
        &string_args(&"x".repeat(4 * MIB)),
    ));
    let sleeper = framed(&binary_message(
        ONEWAY,
        "note",
        1,
        &string_args("sleep 2000"),
    ));
    capped(512 * MIB, |held| async move {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(&sleeper).await.unwrap();
        let writing = tokio::spawn(async move {
            for _ in 0..100 {
                stream.write_all(&oneway).await.unwrap();
            }
            stream
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
        let held = held();
        // The budgets (16 MiB incoming, 8 MiB outgoing, 1 MiB of urgent answers), one frame
        // over the incoming budget, a read buffer of up to twice a frame, and this test's own
        // copy of the frame it sends.
        let bound = 16 + 8 + 1 + 4 + 2 * 4 + 4;
        println!("100 oneways of 4 MiB behind a sleeping one: {held} MiB held (bound {bound})");
        assert!(held <= bound, "{held} MiB held");
        let _stream = timeout(BOUND, writing).await.unwrap().unwrap();
        let all = timeout(BOUND, count.wait_for(|n| *n == 101)).await;
        all.expect("every oneway was handled in time").unwrap();
    })
    .await;

    // A 16 MiB frame holding one list of 16 million empty structs (a byte each on the wire,
    // 48 bytes each decoded: 768 MiB), with the element-count limit lifted: decoding stops
    // at the decoded-size limit (64 MiB by default), having allocated no more than that.
    let mut insanity = vec![15, 0, 2, 12];
    let elements = 16 * MIB - 16;
    insanity.extend(u32::try_from(elements).unwrap().to_be_bytes());
    insanity.resize(insanity.len() + elements, 0);
    insanity.push(0);
    let insanity = Bytes::from(insanity);
    capped(80 * MIB, |_| async move {
        let limits = Limits {
            max_container_len: usize::MAX,
            ..Limits::default()
        };
        let decoded = Protocol::Binary.decode_with_limits::<Insanity>(insanity, limits);
        let error = decoded.expect_err("over the decoded-size limit");
        assert_eq!(error.kind(), ProtocolErrorKind::SizeLimit, "{error}");
        println!("16 million empty structs in a 16 MiB frame: {error}");
    })
    .await;
}
