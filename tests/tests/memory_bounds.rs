//! A connection's memory is bounded in bytes, whatever its peer claims or sends: the global
//! allocator counts every byte this process holds (server and hostile clients alike) and is
//! capped, so an allocation over the cap aborts this test binary, failing the test. One
//! test, running its cases one after another, so that nothing else allocates meanwhile.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::time::Duration;

use cap::Cap;
use thrift_bidi::Server;
use thrift_bidi_tests::worker::{serve, Address, Handler};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

#[global_allocator]
static ALLOCATOR: Cap<std::alloc::System> = Cap::new(std::alloc::System, usize::MAX);

const MIB: usize = 1 << 20;

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
    let (handler, _notes) = Handler::new();
    let running = serve(Server::builder(), handler, false).await;
    let Address::Tcp(addr) = running.address else {
        unreachable!("served on TCP")
    };

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
}
