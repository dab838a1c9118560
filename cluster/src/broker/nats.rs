//! NATS core: the broker client (async-nats) reconnects and subscribes again by itself.
//!
//! Input: subjects and payloads. Output: each subscription's payloads, by a task of its own.

use bytes::Bytes;
use futures_util::StreamExt;

use super::{broker_error, Deliver};
use crate::ClusterError;

/// Connects with `connect` (credentials, TLS and the rest, as the application set them) to
/// the server at `url`. A first connection that fails is an error (a node does not start cut
/// off from its cluster); later ones are made again by the client.
pub(crate) async fn connect(
    connect: async_nats::ConnectOptions,
    url: &str,
    node: &str,
) -> Result<async_nats::Client, ClusterError> {
    connect
        .name(format!("thrift-bidi node {node}"))
        .connect(url)
        .await
        .map_err(broker_error)
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

pub(crate) async fn publish(
    client: &async_nats::Client,
    subject: &str,
    payload: Bytes,
) -> Result<(), ClusterError> {
    client
        .publish(subject.to_owned(), payload)
        .await
        .map_err(broker_error)
}

pub(crate) async fn subscribe(
    client: &async_nats::Client,
    subject: &str,
    deliver: Deliver,
) -> Result<(), ClusterError> {
    let mut messages = client
        .subscribe(subject.to_owned())
        .await
        .map_err(broker_error)?;
    tokio::spawn(async move {
        while let Some(message) = messages.next().await {
            if !deliver(message.payload) {
                return; // dropping the subscriber unsubscribes
            }
        }
    });
    Ok(())
}
