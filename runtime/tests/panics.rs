//! A panicking callback handler on the client side fails only its own callback: the server's
//! call gets an `INTERNAL_ERROR` application exception, and the connection goes on serving
//! callbacks and calls (server handlers: `tests/tests/hostile_peers.rs`).
#![allow(clippy::unwrap_used)] // helpers of this test binary

mod common;

use std::time::Duration;

use common::One;
use thrift_bidi::{
    ApplicationErrorKind, Channel, Connection, Error, Incoming, Outgoing, Server, Service,
};
use tokio::net::TcpListener;

/// The client's callback service: `double(n)` answers `2n`, and panics for 13.
struct Doubler;

impl Service for Doubler {
    async fn call(&self, call: Incoming) -> Option<Outgoing> {
        match call.method() {
            "double" => {
                call.run(|One::<1>(n)| async move {
                    assert!(n != 13, "a callback handler panicking on purpose");
                    Ok(One::<0>(2 * n))
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

/// A server that serves nothing but says it calls `Doubler` back.
struct Nothing;

impl Service for Nothing {
    async fn call(&self, call: Incoming) -> Option<Outgoing> {
        call.unknown_method()
    }
    fn callback(&self) -> Option<&'static str> {
        Some("Doubler")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_callback_handler_fails_only_its_own_callback() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (connected, mut connections) = tokio::sync::mpsc::unbounded_channel();
    let make = move |connection: &Connection| {
        let _ = connected.send(connection.callbacks());
        Nothing
    };
    tokio::spawn(Server::builder().serve_with(listener, make, std::future::pending()));
    let server = Channel::builder()
        .callbacks(Doubler)
        .connect(addr)
        .await
        .unwrap();
    let client = connections
        .recv()
        .await
        .unwrap()
        .with_call_timeout(Duration::from_secs(10));

    let panicked = client.call::<_, One<0>>("double", One::<1>(13)).await;
    match panicked {
        Err(Error::Application(e)) => assert_eq!(e.kind, ApplicationErrorKind::InternalError),
        other => panic!("the panicking callback got {other:?}"),
    }
    let doubled = client
        .call::<_, One<0>>("double", One::<1>(4))
        .await
        .unwrap();
    assert_eq!(doubled, One(8));
    assert!(!server.is_closed());
}
