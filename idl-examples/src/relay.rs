//! The chat across server nodes: a [`Hub`] given a cluster publishes what is said in a room to
//! the room's topic, and delivers to its own members what any node (itself included)
//! publishes there. Each node listens to a room's topic from the first time one of its users
//! joins it.
//!
//! Input: messages said on this node; the cluster's deliveries. Output: pushes to this node's
//! members.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::{Arc, Weak};

use thrift_bidi::protocol::Protocol;
use thrift_bidi_cluster::{Cluster, ClusterError};

use crate::chat::Message;
use crate::hub::Hub;

/// A hub's link to its cluster.
#[derive(Debug)]
pub(crate) struct Relay {
    cluster: Cluster,
    listening: tokio::sync::Mutex<HashSet<String>>,
}

/// The topic of `room`: its bytes in hex, so that any room name makes a valid topic.
fn topic(room: &str) -> String {
    let mut topic = String::from("chat.room.r");
    for byte in room.bytes() {
        let _ = write!(topic, "{byte:02x}");
    }
    topic
}

impl Relay {
    pub(crate) fn new(cluster: Cluster) -> Self {
        Self {
            cluster,
            listening: tokio::sync::Mutex::default(),
        }
    }

    /// Listens to `room`'s topic, once per room: what any node publishes there is pushed to
    /// `hub`'s members of the room.
    pub(crate) async fn listen(&self, hub: Weak<Hub>, room: &str) -> Result<(), ClusterError> {
        let mut listening = self.listening.lock().await;
        if listening.contains(room) {
            return Ok(());
        }
        let mut subscription = self.cluster.subscribe(&topic(room)).await?;
        listening.insert(room.to_owned());
        tokio::spawn(async move {
            while let Some(delivery) = subscription.next().await {
                let Some(hub) = hub.upgrade() else { return };
                match Protocol::Binary.decode::<Message>(delivery.payload) {
                    Ok(message) => hub.deliver(&message),
                    Err(e) => tracing::warn!(node = delivery.node, error = %e, "a bad message"),
                }
            }
        });
        Ok(())
    }

    /// Publishes `message` to its room's topic: this node's members get it at once, the other
    /// nodes' through the broker.
    pub(crate) async fn publish(&self, message: &Message) -> Result<(), ClusterError> {
        let payload = Protocol::Binary.to_bytes(message);
        self.cluster.publish(&topic(&message.room), payload).await
    }
}

/// A hub whose rooms span the nodes of `cluster`.
pub fn clustered(cluster: Cluster) -> Arc<Hub> {
    Arc::new(Hub::with_relay(Relay::new(cluster)))
}
