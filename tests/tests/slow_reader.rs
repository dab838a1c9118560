//! A client that sends calls with big answers and never reads them: the server's memory stays
//! bounded (the global allocator is capped, and reaching the cap aborts this test binary), it
//! goes on serving another client meanwhile, and it closes the slow connection after its
//! write timeout. One test, so nothing else allocates meanwhile.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::time::Duration;

use cap::Cap;
use thrift_bidi::protocol::Protocol;
use thrift_bidi::{Server, Transport};
use thrift_bidi_tests::generated::default::services::WorkerClient;
use thrift_bidi_tests::raw::{binary_message, framed, i32_args, CALL};
use thrift_bidi_tests::worker::{connect, serve, Handler};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

#[global_allocator]
static ALLOCATOR: Cap<std::alloc::System> = Cap::new(std::alloc::System, usize::MAX);

/// 300 answers of 1 MiB each are asked for; far less than that may be held.
const CALLS: usize = 300;
const BLOB: i32 = 1 << 20;
const HEADROOM: usize = 64 << 20;

/// A framed binary call of `blob(BLOB)` with seqid `seqid`.
fn blob_call(seqid: i32) -> Vec<u8> {
    framed(&binary_message(CALL, "blob", seqid, &i32_args(BLOB)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_cannot_exhaust_the_server() {
    let (handler, _notes) = Handler::new();
    let server = Server::builder().write_timeout(Duration::from_secs(3));
    let running = serve(server, handler, false).await;
    let addr = running.tcp();
    let other =
        WorkerClient::new(connect(&running.address, Transport::Framed, Protocol::Binary).await);
    assert_eq!(other.ping(1).await.unwrap(), 2);

    let baseline = ALLOCATOR.allocated();
    ALLOCATOR.set_limit(baseline + HEADROOM).unwrap();
    let (mut slow_read, mut slow_write) = TcpStream::connect(addr).await.unwrap().into_split();
    // Calls paced out, each read and answered before the next comes: only the backlog
    // check stops the server from answering them all.
    let sender = tokio::spawn(async move {
        for i in 0..CALLS {
            let call = blob_call(i32::try_from(i).unwrap());
            if slow_write.write_all(&call).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        slow_write
    });
    for n in 0..20 {
        let answer = timeout(Duration::from_secs(5), other.ping(n)).await;
        assert_eq!(answer.expect("answered in time").unwrap(), n + 1);
    }
    let _slow_write = sender.await.unwrap();
    // Past the write timeout, the server has closed the slow connection: what it sent is
    // readable, then the end.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let mut received = 0;
    let mut buf = vec![0; 64 << 10];
    loop {
        let read = timeout(Duration::from_secs(10), slow_read.read(&mut buf)).await;
        match read.expect("the server closed the connection") {
            Ok(0) | Err(_) => break,
            Ok(n) => received += n,
        }
    }
    let peak = ALLOCATOR.max_allocated() - baseline;
    ALLOCATOR.set_limit(usize::MAX).unwrap();
    println!(
        "slow reader: {CALLS} MiB asked for, {} MiB received before the close, peak {} MiB held",
        received >> 20,
        peak >> 20
    );
    assert!(received < CALLS << 20, "the connection was cut short");
    assert_eq!(
        other.ping(7).await.unwrap(),
        8,
        "the other client is still served"
    );
}
