//! NATS core: the broker client (async-nats) reconnects and subscribes again by itself.
//!
//! Input: subjects and payloads. Output: each subscription's payloads, by a task of its own,
//! which ends (unsubscribing) when the node is dropped.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use tokio::sync::watch;

use super::{broker_error, Deliver};
use crate::ClusterError;

/// Connects with `connect` (credentials, TLS and the rest, as the application set them) to
/// the server at `url`. A first connection that fails is an error (a node does not start cut
/// off from its cluster); later ones are made again by the client.
pub(crate) async fn connect(
    connect: async_nats::ConnectOptions,
    url: &str,
    node: &str,
) -> Result<Nats, ClusterError> {
    let client = connect
        .name(format!("thrift-bidi node {node}"))
        .connect(url)
        .await
        .map_err(broker_error)?;
    Ok(Nats {
        client,
        alive: Arc::new(watch::channel(()).0),
    })
}

/// Connect options with the credentials of `url` (which the NATS client does not take from
/// the URL itself): `user:password@`, or a token alone.
pub(crate) fn credentials(url: &str) -> async_nats::ConnectOptions {
    let Ok(addr) = url.parse::<async_nats::ServerAddr>() else {
        return async_nats::ConnectOptions::new(); // connecting says what is wrong with it
    };
    match (addr.username(), addr.password()) {
        (Some(user), Some(password)) => {
            async_nats::ConnectOptions::with_user_and_password(user.into(), password.into())
        }
        (Some(token), None) => async_nats::ConnectOptions::with_token(token.into()),
        _ => async_nats::ConnectOptions::new(),
    }
}

/// A connection to a NATS server.
#[derive(Clone)]
pub(crate) struct Nats {
    client: async_nats::Client,
    /// Dropped with the node's last clone: each subscription's task then ends.
    alive: Arc<watch::Sender<()>>,
}

impl Nats {
    pub(crate) async fn publish(&self, subject: &str, payload: Bytes) -> Result<(), ClusterError> {
        self.client
            .publish(subject.to_owned(), payload)
            .await
            .map_err(broker_error)
    }

    pub(crate) async fn subscribe(
        &self,
        subject: &str,
        deliver: Deliver,
    ) -> Result<(), ClusterError> {
        let mut messages = self
            .client
            .subscribe(subject.to_owned())
            .await
            .map_err(broker_error)?;
        let mut gone = self.alive.subscribe();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    message = messages.next() => {
                        let wanted = message.is_some_and(|message| deliver(message.payload));
                        if !wanted {
                            return; // dropping the subscriber unsubscribes
                        }
                    }
                    _ = gone.changed() => return,
                }
            }
        });
        Ok(())
    }
}
