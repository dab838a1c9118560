//! The broker a cluster runs on, behind one interface: publish a payload on a subject, and
//! have a subject's payloads handed to a function. The backends are NATS core
//! ([`nats`], feature `nats`) and Redis pub/sub ([`redis`], feature `redis`); neither keeps
//! anything for a node that is not connected, and both reconnect and subscribe again by
//! themselves.
//!
//! Input: subjects and payloads from the cluster. Output: the same, from the broker.

#[cfg(feature = "nats")]
pub(crate) mod nats;
#[cfg(feature = "redis")]
pub(crate) mod redis;

use bytes::Bytes;

use crate::ClusterError;

/// The longest a publish waits for the broker.
pub const PUBLISH_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// What a subscription does with each payload: `false` once it no longer wants any.
pub(crate) type Deliver = Box<dyn Fn(Bytes) -> bool + Send + Sync>;

/// A connection to the broker, shared by the cluster's parts.
#[derive(Clone)]
pub(crate) enum Broker {
    #[cfg(feature = "nats")]
    Nats(nats::Nats),
    #[cfg(feature = "redis")]
    Redis(redis::Redis),
}

impl Broker {
    /// Publishes `payload` on `subject`, at most once, waiting at most [`PUBLISH_WAIT`] for
    /// the broker (a client reconnecting to a broker that is down would make it wait long).
    pub(crate) async fn publish(&self, subject: &str, payload: Bytes) -> Result<(), ClusterError> {
        let published = async {
            match self {
                #[cfg(feature = "nats")]
                Self::Nats(nats) => nats.publish(subject, payload).await,
                #[cfg(feature = "redis")]
                Self::Redis(redis) => redis.publish(subject, payload).await,
            }
        };
        match tokio::time::timeout(PUBLISH_WAIT, published).await {
            Ok(published) => published,
            Err(_) => Err(ClusterError::Broker(format!(
                "no answer from the broker within {PUBLISH_WAIT:?}"
            ))),
        }
    }

    /// Hands every payload published on `subject` from now on to `deliver`, until it returns
    /// `false`.
    pub(crate) async fn subscribe(
        &self,
        subject: &str,
        deliver: Deliver,
    ) -> Result<(), ClusterError> {
        match self {
            #[cfg(feature = "nats")]
            Self::Nats(nats) => nats.subscribe(subject, deliver).await,
            #[cfg(feature = "redis")]
            Self::Redis(redis) => redis.subscribe(subject, deliver).await,
        }
    }
}

/// A subscription handing each payload to `receive` with its owner, for as long as the owner
/// lives: once it is dropped, the subscription ends.
pub(crate) fn to_owner<T: Send + Sync + 'static>(
    owner: &std::sync::Arc<T>,
    receive: impl Fn(&std::sync::Arc<T>, Bytes) + Send + Sync + 'static,
) -> Deliver {
    let owner = std::sync::Arc::downgrade(owner);
    Box::new(move |payload| {
        let owner = owner.upgrade();
        owner.map(|owner| receive(&owner, payload)).is_some()
    })
}

/// A broker client's error, as the cluster reports it.
pub(crate) fn broker_error(error: impl std::fmt::Display) -> ClusterError {
    ClusterError::Broker(error.to_string())
}
