//! The services the bidirectional tests share (`bidi.rs`, `bidi_disconnect.rs`): a server
//! whose `relay(n)` calls its client's `double(n)` back, the client's doubler, and the helpers
//! that serve and connect them on loopback.

use thrift_bidi::{Channel, Connection, Error, Incoming, Outgoing, Server, Service};
use tokio::net::TcpListener;

use crate::common::One;

/// The server's service: `relay(n)` calls the client's `double(n)` back and answers its
/// answer + 1.
pub(crate) struct Relay {
    pub(crate) client: Channel,
}

impl Service for Relay {
    async fn call(&self, call: Incoming) -> Option<Outgoing> {
        match call.method() {
            "relay" => {
                call.run(|One::<1>(n)| async move {
                    let One::<0>(doubled) = self.client.call("double", One::<1>(n)).await?;
                    Ok(One::<0>(doubled + 1))
                })
                .await
            }
            "inc" => {
                call.run(|One::<1>(n)| async move { Ok(One::<0>(n + 1)) })
                    .await
            }
            _ => call.unknown_method(),
        }
    }

    fn callback(&self) -> Option<&'static str> {
        Some("Doubler")
    }
}

/// The client's callback service: `double(n)` answers `2n`.
#[derive(Clone)]
pub(crate) struct Doubler;

impl Service for Doubler {
    async fn call(&self, call: Incoming) -> Option<Outgoing> {
        match call.method() {
            "double" => {
                call.run(|One::<1>(n)| async move { Ok(One::<0>(2 * n)) })
                    .await
            }
            _ => call.unknown_method(),
        }
    }

    fn name(&self) -> &'static str {
        "Doubler"
    }
}

/// Serves the service `make` builds for each connection, until the test ends.
pub(crate) async fn serve_forever<S: Service>(
    make: impl Fn(&Connection) -> S + Send + 'static,
) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(Server::builder().serve_with(listener, make, std::future::pending()));
    addr
}

/// A client serving `callbacks`.
pub(crate) async fn connect_serving(
    callbacks: impl Service,
    addr: std::net::SocketAddr,
) -> Channel {
    Channel::builder()
        .callbacks(callbacks)
        .connect(addr)
        .await
        .unwrap()
}

pub(crate) async fn relay(channel: &Channel, n: i64) -> Result<i64, Error> {
    channel
        .call::<_, One<0>>("relay", One::<1>(n))
        .await
        .map(|One(n)| n)
}

/// A callback service that never answers.
pub(crate) struct Hanging;

impl Service for Hanging {
    async fn call(&self, call: Incoming) -> Option<Outgoing> {
        std::future::pending::<()>().await;
        call.unknown_method()
    }

    fn name(&self) -> &'static str {
        "Doubler"
    }
}
