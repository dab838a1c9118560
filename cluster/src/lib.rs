//! Topics across many server nodes, over NATS: a node publishes a payload (a callback to push,
//! encoded) to a topic (a room), and every node subscribed to that topic receives it, this one
//! included, to deliver to its own connections. The bidi runtime does not depend on this
//! crate; applications that run several nodes use it beside it.
//!
//! Input: payloads published to topics, by this node and, through the broker, by the others.
//! Output: each topic's payloads, for this node's subscribers.
//!
//! Delivery (`docs/cluster.md`): at most once across the broker (NATS core keeps nothing for a
//! node that is not connected), in order per publisher and topic; a payload published here
//! reaches this node's subscribers at once, broker or no broker.

mod presence;
mod topics;

use std::sync::Arc;

use bytes::Bytes;

pub use topics::{Delivery, Subscription};

/// What a cluster operation failed with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClusterError {
    /// The broker could not be reached, or refused the operation.
    #[error("broker: {0}")]
    Broker(String),
    /// A payload over the cluster's message limit ([`Options::max_message`]).
    #[error("a payload of {len} bytes is over the cluster's {max}-byte limit")]
    TooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A topic that is not a NATS subject token sequence (empty, or with spaces or wildcards).
    #[error("topic {0:?}: letters, digits, `-`, `_` and `.`-separated parts only")]
    Topic(String),
}

/// How a node joins its cluster.
#[derive(Clone, Debug)]
pub struct Options {
    node: String,
    max_message: usize,
    prefix: String,
    heartbeat: std::time::Duration,
}

impl Options {
    /// A node called `node` (unique in the cluster), with a message limit of 1 MiB (under
    /// NATS's default `max_payload` of 1 MB with room for the headers), on subjects under
    /// `thrift-bidi.`.
    pub fn new(node: impl Into<String>) -> Self {
        Self {
            node: node.into(),
            max_message: 1_000_000 - 1024,
            prefix: "thrift-bidi".into(),
            heartbeat: std::time::Duration::from_millis(3334),
        }
    }

    /// How often this node tells the others which clients it holds (every 3.3 s by default:
    /// a node that dies is forgotten after 3 missed heartbeats, within 10 s).
    #[must_use]
    pub fn heartbeat(mut self, interval: std::time::Duration) -> Self {
        self.heartbeat = interval;
        self
    }

    /// The largest payload published; larger ones fail with [`ClusterError::TooLarge`].
    #[must_use]
    pub fn max_message(mut self, bytes: usize) -> Self {
        self.max_message = bytes;
        self
    }

    /// The first part of every subject this cluster uses (several clusters may share a
    /// broker under different prefixes).
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }
}

/// This node's membership of its cluster: cheap to clone, shared by its connections.
#[derive(Clone)]
pub struct Cluster {
    inner: Arc<topics::Topics>,
    presence: Arc<presence::Presence>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("node", &self.node())
            .finish_non_exhaustive()
    }
}

impl Cluster {
    /// Joins the cluster whose broker is the NATS server at `url` (`nats://host:port`); the
    /// NATS client reconnects by itself if the broker goes away.
    pub async fn nats(url: &str, options: Options) -> Result<Self, ClusterError> {
        let client = async_nats::ConnectOptions::new()
            .name(format!("thrift-bidi node {}", options.node))
            .retry_on_initial_connect()
            .connect(url)
            .await
            .map_err(|e| ClusterError::Broker(e.to_string()))?;
        let subject = format!("{}.presence", options.prefix);
        let presence = presence::Presence::start(
            client.clone(),
            subject,
            options.node.clone(),
            (options.heartbeat, options.max_message),
        )
        .await?;
        Ok(Self {
            inner: Arc::new(topics::Topics::new(client, options)),
            presence,
        })
    }

    /// This node's name.
    pub fn node(&self) -> &str {
        self.inner.node()
    }

    /// Publishes `payload` to `topic`: this node's subscribers get it at once, the other
    /// nodes' through the broker. A broker error is returned after the local delivery.
    pub async fn publish(&self, topic: &str, payload: Bytes) -> Result<(), ClusterError> {
        self.inner.publish(topic, payload).await
    }

    /// Subscribes to `topic`: what any node publishes there, from now on.
    pub async fn subscribe(&self, topic: &str) -> Result<Subscription, ClusterError> {
        self.inner.subscribe(topic).await
    }

    /// Says this node holds the client `id` (an id the application chose, the same across
    /// reconnects), until [`Cluster::leave`].
    pub fn enter(&self, id: &str) {
        self.presence.enter(id);
    }

    /// Says this node no longer holds the client `id`.
    pub fn leave(&self, id: &str) {
        self.presence.leave(id);
    }

    /// The node that holds the client `id`, as the nodes' last heartbeats say (this node's own
    /// clients at once).
    pub fn locate(&self, id: &str) -> Option<String> {
        self.presence.locate(id)
    }

    /// The nodes alive: this one, then those heard from within three heartbeats.
    pub fn nodes(&self) -> Vec<String> {
        self.presence.nodes()
    }
}
