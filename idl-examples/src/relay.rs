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

use bytes::Bytes;
use thrift_bidi::protocol::Protocol;
use thrift_bidi_cluster::{Cluster, ClusterError};

use crate::chat::{Message, Question};
use crate::hub::{Hub, ASK_TIMEOUT};

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

    /// Says `nickname` is on this node, for the other nodes' calls to find it (a nickname
    /// presence cannot carry, with a line break, is asked on this node only).
    pub(crate) fn arrived(&self, nickname: &str) {
        if let Err(e) = self.cluster.enter(nickname) {
            tracing::info!(error = %e, "a user the other nodes cannot ask");
        }
    }

    /// Says `nickname` has left this node.
    pub(crate) fn left(&self, nickname: &str) {
        self.cluster.leave(nickname);
    }

    /// Asks `nickname`, on whichever node holds it, and gives its answer or why there is
    /// none.
    pub(crate) async fn ask(&self, nickname: &str, question: &Question) -> Result<String, String> {
        let request = Protocol::Binary.to_bytes(question);
        // The answering node waits ASK_TIMEOUT for its user; this one a second more.
        let wait = ASK_TIMEOUT + std::time::Duration::from_secs(1);
        let reply = self.cluster.call(nickname, request, wait).await;
        let reply = reply.map_err(|e| e.to_string())?;
        Ok(String::from_utf8_lossy(&reply).into_owned())
    }

    /// Leaves the cluster's presence at once (draining).
    pub(crate) async fn drain(&self) {
        if let Err(e) = self.cluster.drain().await {
            tracing::warn!(error = %e, "the other nodes were not told this one is draining");
        }
    }

    /// Publishes `message` to its room's topic: this node's members get it at once, the other
    /// nodes' through the broker.
    pub(crate) async fn publish(&self, message: &Message) -> Result<(), ClusterError> {
        let payload = Protocol::Binary.to_bytes(message);
        self.cluster.publish(&topic(&message.room), payload).await
    }
}

/// A hub whose rooms span the nodes of `cluster`, and whose users can be asked from any node.
pub fn clustered(cluster: Cluster) -> Arc<Hub> {
    Arc::new_cyclic(|hub: &Weak<Hub>| {
        let answering = hub.clone();
        cluster.answer(move |nickname, request: Bytes| {
            let hub = answering.upgrade();
            async move {
                let hub = hub.ok_or("this node is stopping")?;
                let question = Protocol::Binary.decode::<Question>(request);
                let question = question.map_err(|e| format!("a bad question: {e}"))?;
                let answer = hub.answer_here(&nickname, question).await?;
                Ok(Bytes::from(answer))
            }
        });
        Hub::with_relay(Relay::new(cluster))
    })
}
