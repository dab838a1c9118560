//! Calls in both directions on one connection, with hand-written services (generated ones are
//! exercised in the tests crate): the hello, callbacks during a call, and plain peers on
//! either side.
#![allow(clippy::unwrap_used)] // helpers of this test binary

mod common;
mod relay;

use std::time::Duration;

use common::One;
use relay::{connect_serving, relay, serve_forever, Doubler, Hanging, Relay};
use thrift_bidi::{
    ApplicationErrorKind, Callbacks, Channel, Connection, Error, Incoming, Outgoing, Server,
    Service,
};
use tokio::net::TcpListener;

/// A plain service that knows no hello.
#[derive(Clone)]
struct Plain;

impl Service for Plain {
    async fn call(&self, call: Incoming) -> Option<Outgoing> {
        match call.method() {
            "relay" => call.run(|One::<1>(n)| async move { Ok(One::<0>(n)) }).await,
            _ => call.unknown_method(),
        }
    }
}

/// The client's callback service calling the server in turn: `double(n)` answers
/// `2 * inc(n)`, asking the server for `inc(n)`.
struct DoublerViaServer {
    server: Channel,
}

impl Service for DoublerViaServer {
    async fn call(&self, call: Incoming) -> Option<Outgoing> {
        match call.method() {
            "double" => {
                call.run(|One::<1>(n)| async move {
                    let One::<0>(m) = self.server.call("inc", One::<1>(n)).await?;
                    Ok(One::<0>(2 * m))
                })
                .await
            }
            _ => call.unknown_method(),
        }
    }

    fn name(&self) -> &'static str {
        "Doubler"
    }
}

async fn serve_relay() -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    serve_relay_with(Server::builder()).await
}

async fn serve_relay_with(
    server: Server,
) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let make = |connection: &Connection| Relay {
        client: connection.callbacks(),
    };
    tokio::spawn(server.serve_with(listener, make, async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

#[tokio::test]
async fn the_server_calls_back_during_a_call() {
    let (addr, _stop) = serve_relay().await;
    let channel = connect_serving(Doubler, addr).await;
    // No waiting for the hello's answer: the server answers it before it reads this call.
    assert_eq!(relay(&channel, 20).await.unwrap(), 41);
    assert_eq!(channel.callbacks_ready().await, Callbacks::Available);
    let mut calls = tokio::task::JoinSet::new();
    for n in 0..100 {
        let channel = channel.clone();
        calls.spawn(async move { (n, relay(&channel, n).await.unwrap()) });
    }
    while let Some(joined) = calls.join_next().await {
        let (n, answer) = joined.unwrap();
        assert_eq!(answer, 2 * n + 1);
    }
}

#[tokio::test]
async fn a_plain_client_is_never_called_back() {
    let (addr, _stop) = serve_relay().await;
    let channel = Channel::connect(addr).await.unwrap();
    assert_eq!(channel.callbacks(), Callbacks::NotOffered);
    match relay(&channel, 1).await {
        Err(Error::Application(e)) => {
            assert_eq!(e.kind, ApplicationErrorKind::InternalError);
            assert!(e.message.contains("no callbacks"), "{}", e.message);
        }
        other => panic!("want the server's callback to fail, got {other:?}"),
    }
}

#[tokio::test]
async fn a_client_with_callbacks_works_with_a_plain_server() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(Server::builder().serve(listener, Plain, std::future::pending()));
    let channel = connect_serving(Doubler, addr).await;
    assert_eq!(relay(&channel, 5).await.unwrap(), 5);
    let ready = tokio::time::timeout(Duration::from_secs(10), channel.callbacks_ready()).await;
    assert_eq!(ready.unwrap(), Callbacks::Unavailable);
    assert_eq!(relay(&channel, 6).await.unwrap(), 6);
}

/// Three levels: the client's call runs a server handler that calls the client back, whose
/// callback handler calls the server again. With room for one incoming call at a time on the
/// server, the third level is refused at once instead of waiting forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_nest_three_deep_across_the_connection() {
    let connect = |addr| {
        Channel::builder()
            .callbacks_with(|server: &Channel| DoublerViaServer {
                server: server.clone(),
            })
            .connect(addr)
    };
    let (addr, _stop) = serve_relay().await;
    let channel = connect(addr).await.unwrap();
    // relay(n) = double(n) + 1 = 2 * inc(n) + 1 = 2n + 3.
    assert_eq!(relay(&channel, 10).await.unwrap(), 23);

    let (addr, _stop) = serve_relay_with(Server::builder().max_in_flight(1)).await;
    let channel = connect(addr).await.unwrap();
    let refused = tokio::time::timeout(Duration::from_secs(5), relay(&channel, 10)).await;
    match refused.expect("refused promptly") {
        Err(Error::Application(e)) => {
            assert_eq!(e.kind, ApplicationErrorKind::Loadshedding);
            assert!(e.message.contains("overloaded"), "{}", e.message);
        }
        other => panic!("want the third level refused, got {other:?}"),
    }
}

/// The callback handler's channel to the server does not keep the connection open.
#[tokio::test]
async fn the_callback_handlers_channel_does_not_keep_the_connection() {
    let (addr, _stop) = serve_relay().await;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let channel = Channel::builder()
        .callbacks_with(|server: &Channel| {
            let _ = tx.send(server.clone());
            DoublerViaServer {
                server: server.clone(),
            }
        })
        .connect(addr)
        .await
        .unwrap();
    let held = rx.await.unwrap();
    assert!(!held.is_closed());
    drop(channel);
    tokio::time::timeout(Duration::from_secs(5), held.closed())
        .await
        .expect("closed once the client's channels are gone");
}

/// A callback service whose `double` never answers.
/// A plain server that drops the connection at the hello (as Apache's multiplexed processor
/// without a default does) gets a second connection without it.
#[tokio::test]
async fn a_server_dropping_the_hello_gets_a_plain_connection() {
    use tokio::io::AsyncReadExt;

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut first, _) = listener.accept().await.unwrap();
        let mut hello = [0; 64];
        let _ = first.read(&mut hello).await;
        drop(first);
        Server::builder()
            .serve(listener, Plain, std::future::pending())
            .await;
    });
    let channel = connect_serving(Doubler, addr).await;
    assert_eq!(channel.callbacks(), Callbacks::Unavailable);
    assert_eq!(relay(&channel, 7).await.unwrap(), 7);
}

/// Multiplexed, callbacks name the callback service (`Doubler:double`), as calls name theirs.
#[tokio::test]
async fn multiplexed_callbacks_name_their_service() {
    let make = |connection: &Connection| {
        let relay = Relay {
            client: connection.callbacks().multiplexed("Doubler"),
        };
        thrift_bidi::Multiplexed::new().with("Relay", relay)
    };
    let addr = serve_forever(make).await;
    let channel = connect_serving(Doubler, addr).await;
    assert_eq!(channel.callbacks(), Callbacks::Available);
    assert_eq!(relay(&channel.multiplexed("Relay"), 20).await.unwrap(), 41);
}

/// A server's callback can time out like any call; the handler that made it passes the
/// timeout on, and its caller hears `TIMEOUT` (`Error::Timeout`).
#[tokio::test]
async fn callbacks_time_out() {
    let make = |connection: &Connection| Relay {
        client: connection
            .callbacks()
            .with_call_timeout(Duration::from_millis(100)),
    };
    let addr = serve_forever(make).await;
    let channel = connect_serving(Hanging, addr).await;
    let answer = tokio::time::timeout(Duration::from_secs(5), relay(&channel, 1)).await;
    match answer.expect("the callback's timeout ends the call") {
        Err(Error::Timeout) => {}
        other => panic!("want the callback's timeout, got {other:?}"),
    }
}

/// A broadcaster's `try_oneway` fails with `Busy` instead of waiting once a client stops
/// taking its pushes (here: its handler hangs, so its queue fills, so it stops reading).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn try_oneway_skips_a_client_that_is_behind() {
    let (connections, mut accepted) = tokio::sync::mpsc::unbounded_channel();
    let make = move |connection: &Connection| {
        let _ = connections.send(connection.callbacks());
        Relay {
            client: connection.callbacks(),
        }
    };
    let addr = serve_forever(make).await;
    let channel = connect_serving(Hanging, addr).await;
    let client = accepted.recv().await.unwrap();
    let mut sent = 0;
    let busy = loop {
        match client.try_oneway("push", &One::<1>(sent)) {
            Ok(()) => sent += 1,
            Err(e) => break e,
        }
        if sent % 1000 == 0 {
            tokio::task::yield_now().await;
        }
        assert!(sent < 10_000_000, "never busy");
    };
    assert!(matches!(busy, Error::Busy), "{busy:?}");
    assert!(client.backlog() > 0);
    assert!(
        !channel.is_closed(),
        "a slow client is skipped, not dropped"
    );
}
