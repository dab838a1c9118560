//! Topics: this node's subscribers of each topic, fed by its own publishes at once and by the
//! other nodes' through one NATS subscription per topic. A payload carries the name of the
//! node that published it (a NATS header), so a node drops its own coming back.
//!
//! Input: publishes and NATS messages. Output: payloads on subscriptions.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use bytes::Bytes;
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::{ClusterError, Options};

/// The NATS header naming the node that published a payload.
const NODE_HEADER: &str = "thrift-bidi-node";

/// Payloads a subscriber has not taken yet, before more are dropped (and counted).
const BACKLOG: usize = 4096;

/// A payload published to a topic, and the node it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The node that published it.
    pub node: String,
    /// What it published.
    pub payload: Bytes,
}

/// What any node publishes to a topic, from the moment of subscribing.
#[derive(Debug)]
pub struct Subscription {
    rx: mpsc::Receiver<Delivery>,
}

impl Subscription {
    /// The next payload; `None` once this node has left the cluster.
    pub async fn next(&mut self) -> Option<Delivery> {
        self.rx.recv().await
    }
}

/// One topic on this node: its subscribers, and whether the broker's deliveries of it are
/// listened to (from the first subscriber on, once).
#[derive(Default)]
struct Topic {
    subscribers: Vec<mpsc::Sender<Delivery>>,
    listening: bool,
}

pub(crate) struct Topics {
    client: async_nats::Client,
    options: Options,
    by_name: Mutex<HashMap<String, Topic>>,
}

impl std::fmt::Debug for Topics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Topics")
            .field("node", &self.options.node)
            .finish_non_exhaustive()
    }
}

impl Topics {
    pub(crate) fn new(client: async_nats::Client, options: Options) -> Self {
        Self {
            client,
            options,
            by_name: Mutex::default(),
        }
    }

    pub(crate) fn node(&self) -> &str {
        &self.options.node
    }

    fn subject(&self, topic: &str) -> Result<String, ClusterError> {
        let valid = !topic.is_empty()
            && topic.split('.').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            });
        if !valid {
            return Err(ClusterError::Topic(topic.to_owned()));
        }
        Ok(format!("{}.topic.{topic}", self.options.prefix))
    }

    pub(crate) async fn publish(&self, topic: &str, payload: Bytes) -> Result<(), ClusterError> {
        let subject = self.subject(topic)?;
        if payload.len() > self.options.max_message {
            return Err(ClusterError::TooLarge {
                len: payload.len(),
                max: self.options.max_message,
            });
        }
        let delivery = Delivery {
            node: self.options.node.clone(),
            payload: payload.clone(),
        };
        self.deliver(topic, &delivery);
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(NODE_HEADER, self.options.node.as_str());
        self.client
            .publish_with_headers(subject, headers, payload)
            .await
            .map_err(|e| ClusterError::Broker(e.to_string()))
    }

    pub(crate) async fn subscribe(
        self: &std::sync::Arc<Self>,
        topic: &str,
    ) -> Result<Subscription, ClusterError> {
        let subject = self.subject(topic)?;
        let (tx, rx) = mpsc::channel(BACKLOG);
        let first = {
            let mut topics = self.by_name.lock().unwrap_or_else(PoisonError::into_inner);
            let entry = topics.entry(topic.to_owned()).or_default();
            entry.subscribers.push(tx);
            !std::mem::replace(&mut entry.listening, true)
        };
        if first {
            let mut remote = self
                .client
                .subscribe(subject)
                .await
                .map_err(|e| ClusterError::Broker(e.to_string()))?;
            let topics = std::sync::Arc::downgrade(self);
            let topic = topic.to_owned();
            tokio::spawn(async move {
                while let Some(message) = remote.next().await {
                    let Some(topics) = topics.upgrade() else {
                        return;
                    };
                    // The broker bounds payloads by its own setting; this node by its own.
                    if message.payload.len() > topics.options.max_message {
                        let len = message.payload.len();
                        tracing::warn!(topic, len, "a payload over the message limit is dropped");
                        continue;
                    }
                    let node = message
                        .headers
                        .as_ref()
                        .and_then(|h| h.get(NODE_HEADER))
                        .map(|n| n.as_str().to_owned())
                        .unwrap_or_default();
                    if node == topics.options.node {
                        continue; // delivered here when it was published
                    }
                    let delivery = Delivery {
                        node,
                        payload: message.payload,
                    };
                    topics.deliver(&topic, &delivery);
                }
            });
        }
        Ok(Subscription { rx })
    }

    /// Hands `delivery` to the topic's subscribers on this node: at once, never waiting; a
    /// subscriber that has left is forgotten, one that is behind by [`BACKLOG`] misses it.
    fn deliver(&self, topic: &str, delivery: &Delivery) {
        let mut topics = self.by_name.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(entry) = topics.get_mut(topic) else {
            return;
        };
        entry
            .subscribers
            .retain(|tx| match tx.try_send(delivery.clone()) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::warn!(topic, "a subscriber is behind: a payload is dropped for it");
                    true
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            });
    }
}
