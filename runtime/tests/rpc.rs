//! The connection core over real loopback sockets, with a hand-written service (generated
//! services are exercised in the tests crate): pipelined calls, out-of-order replies, unknown
//! methods, multiplexing, disconnects and frame limits.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::time::Duration;

mod common;

use common::One;
use thrift_bidi::{
    ApplicationErrorKind, Channel, Error, Incoming, Multiplexed, Outgoing, Server, Service,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// `sleep(ms)` sleeps `ms` milliseconds and answers `ms`; `fail(x)` fails.
#[derive(Clone)]
struct Sleeper;

impl Service for Sleeper {
    async fn call(&self, call: Incoming) -> Option<Outgoing> {
        match call.method() {
            "sleep" => {
                call.run(|One::<1>(ms)| async move {
                    tokio::time::sleep(Duration::from_millis(ms.unsigned_abs())).await;
                    Ok(One::<0>(ms))
                })
                .await
            }
            "fail" => {
                call.run(|One::<1>(_)| async { Err::<One<0>, _>(Error::internal("no")) })
                    .await
            }
            _ => call.unknown_method(),
        }
    }
}

async fn serve(
    service: impl Service + Clone,
) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(Server::builder().serve(listener, service, async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

async fn sleep(channel: &Channel, ms: i64) -> Result<i64, Error> {
    channel
        .call::<_, One<0>>("sleep", One::<1>(ms))
        .await
        .map(|r| r.0)
}

#[tokio::test]
async fn replies_come_back_out_of_order_to_the_right_callers() {
    let (addr, _stop) = serve(Sleeper).await;
    let channel = Channel::connect(addr).await.unwrap();
    let started = std::time::Instant::now();
    let calls = (0..200).map(|i| {
        let channel = channel.clone();
        tokio::spawn(async move { sleep(&channel, 200 - i).await })
    });
    let results = futures_join(calls).await;
    for (expected, result) in (1..=200).rev().zip(results) {
        assert_eq!(result.unwrap(), expected);
    }
    // Sequentially these would take 20 s; concurrently about the longest, 200 ms.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

async fn futures_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        out.push(handle.await.unwrap());
    }
    out
}

#[tokio::test]
async fn failures_arrive_as_application_exceptions() {
    let (addr, _stop) = serve(Sleeper).await;
    let channel = Channel::connect(addr).await.unwrap();
    let unknown = channel.call::<_, One<0>>("nope", One::<1>(1)).await;
    let Err(Error::Application(e)) = unknown else {
        panic!("{unknown:?}")
    };
    assert_eq!(e.kind, ApplicationErrorKind::UnknownMethod);
    let failed = channel.call::<_, One<0>>("fail", One::<1>(1)).await;
    let Err(Error::Application(e)) = failed else {
        panic!("{failed:?}")
    };
    assert_eq!(e.kind, ApplicationErrorKind::InternalError);
    assert!(e.message.contains("no"), "{e}");
    // The connection is still good.
    assert_eq!(sleep(&channel, 1).await.unwrap(), 1);
}

#[tokio::test]
async fn multiplexed_names_reach_their_service() {
    let (addr, _stop) = serve_multiplexed().await;
    let channel = Channel::connect(addr).await.unwrap();
    assert_eq!(sleep(&channel.multiplexed("Sleeper"), 3).await.unwrap(), 3);
    let other = sleep(&channel.multiplexed("Other"), 3).await;
    assert!(
        matches!(other, Err(Error::Application(ref e)) if e.kind == ApplicationErrorKind::UnknownMethod),
        "{other:?}"
    );
}

async fn serve_multiplexed() -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let make = |_: &thrift_bidi::Connection| Multiplexed::new().with("Sleeper", Sleeper);
    tokio::spawn(Server::builder().serve_with(listener, make, async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

#[tokio::test]
async fn a_server_that_hangs_up_fails_every_pending_call() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut some = [0u8; 16];
        let _ = socket.read(&mut some).await;
        drop(socket);
    });
    let channel = Channel::connect(addr).await.unwrap();
    let calls = (0..10).map(|_| {
        let channel = channel.clone();
        tokio::spawn(async move { sleep(&channel, 1).await })
    });
    let results = tokio::time::timeout(Duration::from_secs(5), futures_join(calls))
        .await
        .unwrap();
    for result in results {
        assert!(matches!(result, Err(Error::Disconnected)), "{result:?}");
    }
    assert!(channel.is_closed());
    assert!(matches!(sleep(&channel, 1).await, Err(Error::Disconnected)));
}

#[tokio::test]
async fn an_oversized_frame_closes_only_its_connection() {
    let (addr, _stop) = serve(Sleeper).await;
    let mut rogue = tokio::net::TcpStream::connect(addr).await.unwrap();
    rogue.write_all(&(1u32 << 30).to_be_bytes()).await.unwrap();
    let mut buf = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_secs(5), rogue.read(&mut buf))
        .await
        .unwrap();
    assert_eq!(read.unwrap(), 0, "the server should hang up");
    let channel = Channel::connect(addr).await.unwrap();
    assert_eq!(sleep(&channel, 2).await.unwrap(), 2);
}

#[tokio::test]
async fn graceful_shutdown_answers_calls_already_running() {
    let (addr, stop) = serve(Sleeper).await;
    let channel = Channel::connect(addr).await.unwrap();
    let running = {
        let channel = channel.clone();
        tokio::spawn(async move { sleep(&channel, 300).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    stop.send(()).unwrap();
    assert_eq!(running.await.unwrap().unwrap(), 300);
    tokio::time::timeout(Duration::from_secs(5), channel.closed())
        .await
        .unwrap();
}

/// The calls running when a client leaves are cancelled by default, or left to finish.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_running_at_a_disconnect_are_cancelled_unless_told_otherwise() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    /// `mark(ms)`: sleeps, then sets the flag.
    #[derive(Clone)]
    struct Marker(Arc<AtomicBool>);

    impl Service for Marker {
        async fn call(&self, call: Incoming) -> Option<Outgoing> {
            call.run(|One::<1>(ms)| async move {
                tokio::time::sleep(Duration::from_millis(ms.unsigned_abs())).await;
                self.0.store(true, Ordering::SeqCst);
                Ok(One::<0>(ms))
            })
            .await
        }
    }

    for cancel in [true, false] {
        let finished = Arc::new(AtomicBool::new(false));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = Server::builder().cancel_on_disconnect(cancel);
        tokio::spawn(server.serve(listener, Marker(finished.clone()), std::future::pending()));
        let channel = Channel::connect(addr).await.unwrap();
        let call = tokio::spawn({
            let channel = channel.clone();
            async move { channel.call::<_, One<0>>("mark", One::<1>(300)).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        call.abort();
        drop(channel);
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(
            finished.load(Ordering::SeqCst),
            !cancel,
            "cancel_on_disconnect({cancel})"
        );
    }
}
