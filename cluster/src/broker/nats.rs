//! NATS core: the broker client (async-nats) reconnects and subscribes again by itself.
//!
//! Input: subjects and payloads. Output: each subscription's payloads, by a task of its own.

use bytes::Bytes;
use futures_util::StreamExt;

use super::{broker_error, Deliver};
use crate::ClusterError;

/// Connects with `connect` (credentials, TLS and the rest, as the application set them) to
/// the server at `url`, retrying the first connection as later ones.
pub(crate) async fn connect(
    connect: async_nats::ConnectOptions,
    url: &str,
    node: &str,
) -> Result<async_nats::Client, ClusterError> {
    connect
        .name(format!("thrift-bidi node {node}"))
        .retry_on_initial_connect()
        .connect(url)
        .await
        .map_err(broker_error)
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
