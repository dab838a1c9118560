//! Callbacks across many server nodes, over a broker (NATS or Redis): a node publishes a
//! payload (a callback to push, encoded) to a topic (a room), and every node subscribed to
//! that topic receives it, this one included, to deliver to its own connections; a node calls
//! one client by its id wherever it is connected; and each node says which clients it holds.
//! The bidi runtime does not depend on this crate; applications that run several nodes use it
//! beside it.
//!
//! Input: payloads published to topics, calls to clients, clients entering and leaving, by
//! this node and, through the broker, by the others. Output: each topic's payloads for this
//! node's subscribers, the replies to calls, and where each client is.
//!
//! Delivery (`docs/cluster.md`): at most once across the broker (neither NATS core nor Redis
//! pub/sub keeps anything for a node that is not connected), in order per publisher and
//! topic; a payload published here reaches this node's subscribers at once, broker or no
//! broker.

#[cfg(not(any(feature = "nats", feature = "redis")))]
compile_error!("thrift-bidi-cluster needs a broker: feature `nats`, `redis` or both");

mod broker;
mod calls;
mod envelope;
mod options;
mod presence;
mod topics;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

#[cfg(feature = "nats")]
pub use async_nats;
pub use broker::PUBLISH_WAIT;
pub use calls::{MAX_ANSWERING, MAX_CLIENT_ID};
pub use options::{Options, MAX_NODE};
#[cfg(feature = "redis")]
pub use redis;
pub use topics::{Delivery, Subscription};

use broker::Broker;

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
    /// A topic that is not a subject's token sequence (empty, or with spaces or wildcards).
    #[error("topic {0:?}: letters, digits, `-`, `_` and `.`-separated parts only")]
    Topic(String),
    /// A node name that a subject cannot carry.
    #[error("node name {0:?}: 1 to 64 letters, digits, `-` and `_`")]
    Node(String),
    /// A broker URL of no backend this build has.
    #[error("broker URL {0:?}: nats://, tls://, redis:// or rediss:// (with its feature)")]
    Url(String),
    /// A client id presence cannot carry.
    #[error("client id {0:?}: 1 to 255 bytes, without line breaks")]
    ClientId(String),
    /// No live node holds the client called.
    #[error("no node holds client {0:?}")]
    NotFound(String),
    /// The client's node did not answer in time.
    #[error("the call was not answered in time")]
    Timeout,
    /// The client's node answered that it could not call the client, and why.
    #[error("refused: {0}")]
    Refused(String),
}

/// `Ok` if `len` bytes fit the cluster's message limit `max`.
fn fits(len: usize, max: usize) -> Result<(), ClusterError> {
    if len > max {
        return Err(ClusterError::TooLarge { len, max });
    }
    Ok(())
}

/// This node's membership of its cluster: cheap to clone, shared by its connections.
#[derive(Clone)]
pub struct Cluster {
    inner: Arc<topics::Topics>,
    presence: Arc<presence::Presence>,
    calls: Arc<calls::Calls>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("node", &self.node())
            .finish_non_exhaustive()
    }
}

impl Cluster {
    /// Joins the cluster whose broker is at `url`: `nats://` or `tls://` for NATS,
    /// `redis://` or `rediss://` for Redis (credentials in the URL as each client takes them).
    pub async fn connect(url: &str, options: Options) -> Result<Self, ClusterError> {
        let scheme = url.split_once("://").map_or("", |(scheme, _)| scheme);
        match scheme {
            #[cfg(feature = "nats")]
            "nats" | "tls" => Self::nats(url, options).await,
            #[cfg(feature = "redis")]
            "redis" | "rediss" => Self::redis(url, options).await,
            _ => Err(ClusterError::Url(url.to_owned())),
        }
    }

    /// Joins the cluster whose broker is the NATS server at `url`; the NATS client reconnects
    /// by itself if the broker goes away. Credentials in the URL are used: `user:password@`,
    /// or a token alone (`token@`).
    #[cfg(feature = "nats")]
    pub async fn nats(url: &str, options: Options) -> Result<Self, ClusterError> {
        let connect = broker::nats::credentials(url);
        Self::nats_with(connect, url, options).await
    }

    /// As [`Cluster::nats`], connecting with `connect`: credentials, TLS and the other
    /// settings of the NATS client, passed through.
    #[cfg(feature = "nats")]
    pub async fn nats_with(
        connect: async_nats::ConnectOptions,
        url: &str,
        options: Options,
    ) -> Result<Self, ClusterError> {
        let options = options.checked()?;
        let nats = broker::nats::connect(connect, url, &options.node).await?;
        Self::join(Broker::Nats(nats), options).await
    }

    /// Joins the cluster whose broker is the Redis server at `url` (pub/sub); the connection
    /// is made again, and its subscriptions with it, if the broker goes away.
    #[cfg(feature = "redis")]
    pub async fn redis(url: &str, options: Options) -> Result<Self, ClusterError> {
        let client = redis::Client::open(url).map_err(broker::broker_error)?;
        Self::redis_with(client, options).await
    }

    /// As [`Cluster::redis`], with a client the application made (its connection settings,
    /// credentials and TLS passed through).
    #[cfg(feature = "redis")]
    pub async fn redis_with(client: redis::Client, options: Options) -> Result<Self, ClusterError> {
        let options = options.checked()?;
        let redis = broker::redis::Redis::connect(client).await?;
        Self::join(Broker::Redis(redis), options).await
    }

    async fn join(broker: Broker, options: Options) -> Result<Self, ClusterError> {
        let subject = format!("{}.presence", options.prefix);
        let limits = (options.heartbeat, options.max_message);
        let node = options.node.clone();
        let presence = presence::Presence::start(broker.clone(), subject, node, limits).await?;
        let inbox = (
            options.node.clone(),
            options.prefix.clone(),
            options.max_message,
        );
        let calls = calls::Calls::start(broker.clone(), inbox).await?;
        Ok(Self {
            inner: Arc::new(topics::Topics::new(broker, options)),
            presence,
            calls,
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
    /// reconnects), until [`Cluster::leave`]. An id that is empty, over [`MAX_CLIENT_ID`]
    /// bytes, or has a line break (heartbeats list ids a line each) is refused with
    /// [`ClusterError::ClientId`].
    pub fn enter(&self, id: &str) -> Result<(), ClusterError> {
        if id.is_empty() || id.len() > MAX_CLIENT_ID || id.contains(['\n', '\r']) {
            return Err(ClusterError::ClientId(id.to_owned()));
        }
        self.presence.enter(id);
        Ok(())
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

    /// Sets what answers calls to this node's clients ([`Cluster::call`] on any node): given
    /// the client's id and the request, it calls the client and gives its reply, or says why
    /// not. At most [`MAX_ANSWERING`] are answered at once; more are refused as busy. Set
    /// once; later calls are ignored.
    pub fn answer<F, Fut>(&self, answer: F)
    where
        F: Fn(String, Bytes) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Bytes, String>> + Send + 'static,
    {
        self.calls.answer(Arc::new(move |client, request| {
            Box::pin(answer(client, request))
        }));
    }

    /// Calls the client `id` wherever it is connected: its node's answerer gets `request` and
    /// gives the reply. Fails with [`ClusterError::NotFound`] when no live node holds it,
    /// [`ClusterError::Timeout`] when no reply comes within `wait`, and
    /// [`ClusterError::Refused`] when its node could not call it (gone since its last
    /// heartbeat, say). Never sent twice.
    pub async fn call(
        &self,
        id: &str,
        request: Bytes,
        wait: Duration,
    ) -> Result<Bytes, ClusterError> {
        let node = self
            .locate(id)
            .ok_or_else(|| ClusterError::NotFound(id.to_owned()))?;
        self.calls.call(&node, id, request, wait).await
    }

    /// Leaves the cluster gracefully: this node says it holds no clients and is leaving, so
    /// the others stop listing it at once, and sends no more heartbeats. Topics and calls go
    /// on working until the node is dropped, so that what is under way can finish.
    pub async fn drain(&self) -> Result<(), ClusterError> {
        self.presence.bye().await
    }
}
