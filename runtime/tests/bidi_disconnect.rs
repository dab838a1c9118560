//! Peers that go away in the middle of calls in both directions, with hand-written services:
//! a client vanishing while the server calls it back, a server vanishing mid-call and
//! mid-callback, and a graceful stop that lets calls awaiting callbacks finish.
#![allow(clippy::unwrap_used)] // helpers of this test binary

mod common;
mod relay;

use std::time::Duration;

use common::One;
use relay::{connect_serving, relay, serve_forever, Doubler, Hanging, Relay};
use thrift_bidi::{Channel, Connection, Error, Incoming, Outgoing, Server, Service};
use tokio::net::TcpListener;

/// Waits (at most 10 s) for the runtime's live tasks to come back down to `baseline`.
async fn tasks_settle(baseline: usize) {
    let metrics = tokio::runtime::Handle::current().metrics();
    let settled = tokio::time::timeout(Duration::from_secs(10), async {
        while metrics.num_alive_tasks() > baseline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        settled.is_ok(),
        "{} tasks alive, {baseline} before",
        metrics.num_alive_tasks()
    );
}

/// A client that vanishes while the server awaits its callback's reply: the server's side of
/// the connection closes, its callbacks fail at once, it goes on serving others, and no task
/// is left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_vanishing_mid_callback() {
    let (connections, mut accepted) = tokio::sync::mpsc::unbounded_channel();
    let make = move |connection: &Connection| {
        let _ = connections.send(connection.clone());
        Relay {
            client: connection.callbacks(),
        }
    };
    let addr = serve_forever(make).await;
    let baseline = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();

    let channel = connect_serving(Hanging, addr).await;
    let call = tokio::spawn({
        let channel = channel.clone();
        async move { relay(&channel, 1).await }
    });
    let server_side = accepted.recv().await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!call.is_finished(), "the callback hangs");
    call.abort();
    drop(channel);
    tokio::time::timeout(Duration::from_secs(5), server_side.closed())
        .await
        .expect("the server sees the client go");
    let late = server_side
        .callbacks()
        .call::<_, One<0>>("double", One::<1>(1))
        .await;
    assert!(matches!(late, Err(Error::Disconnected)), "{late:?}");

    let other = connect_serving(Doubler, addr).await;
    assert_eq!(relay(&other, 1).await.unwrap(), 3);
    drop((other, server_side, accepted));
    tasks_settle(baseline).await;
}

/// A server that vanishes while its client awaits a reply and runs a callback: the call fails
/// with `Disconnected` within a bound, the callback is dropped, no task is left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_vanishing_mid_call_and_callback() {
    let baseline = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let make = |connection: &Connection| Relay {
        client: connection.callbacks(),
    };
    let server = Server::builder().shutdown_timeout(Duration::ZERO);
    let serving = tokio::spawn(server.serve_with(listener, make, async {
        let _ = stopped.await;
    }));
    let channel = connect_serving(Hanging, addr).await;
    let call = tokio::spawn({
        let channel = channel.clone();
        async move { relay(&channel, 1).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.send(()).unwrap();
    serving.await.unwrap();
    let failed = tokio::time::timeout(Duration::from_secs(5), call)
        .await
        .expect("the call fails promptly")
        .unwrap();
    assert!(matches!(failed, Err(Error::Disconnected)), "{failed:?}");
    tokio::time::timeout(Duration::from_secs(5), channel.closed())
        .await
        .expect("the client sees the server go");
    assert!(matches!(relay(&channel, 2).await, Err(Error::Disconnected)));
    drop(channel);
    tasks_settle(baseline).await;
}

/// A graceful stop lets a running call finish even though it awaits a callback: the server
/// stops taking calls but still reads the replies to its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_stop_lets_calls_awaiting_callbacks_finish() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let make = |connection: &Connection| Relay {
        client: connection.callbacks(),
    };
    let serving = tokio::spawn(Server::builder().serve_with(listener, make, async {
        let _ = stopped.await;
    }));
    let (gate, opened) = tokio::sync::oneshot::channel::<()>();
    let channel = Channel::builder()
        .callbacks(Gated {
            opened: std::sync::Arc::new(tokio::sync::Mutex::new(Some(opened))),
        })
        .connect(addr)
        .await
        .unwrap();
    let call = tokio::spawn({
        let channel = channel.clone();
        async move { relay(&channel, 4).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The callback answers only now, after the stop.
    gate.send(()).unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(5), call).await;
    assert_eq!(answer.expect("answered").unwrap().unwrap(), 9);
    tokio::time::timeout(Duration::from_secs(5), serving)
        .await
        .expect("the server stops once the call is done")
        .unwrap();
}

/// A callback service whose `double` answers once its gate opens.
#[derive(Clone)]
struct Gated {
    opened: std::sync::Arc<tokio::sync::Mutex<Option<tokio::sync::oneshot::Receiver<()>>>>,
}

impl Service for Gated {
    async fn call(&self, call: Incoming) -> Option<Outgoing> {
        call.run(|One::<1>(n)| async move {
            if let Some(opened) = self.opened.lock().await.take() {
                let _ = opened.await;
            }
            Ok(One::<0>(2 * n))
        })
        .await
    }

    fn name(&self) -> &'static str {
        "Doubler"
    }
}
