//! Redis pub/sub, over one RESP3 connection whose manager (the redis crate's) reconnects with
//! backoff and subscribes again to every channel; payloads arrive as pushes, handed on by the
//! manager's push callback to each channel's subscribers.
//!
//! Input: subjects (Redis channels) and payloads. Output: each channel's payloads.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{PushInfo, PushKind, Value};

use super::{broker_error, Deliver};
use crate::ClusterError;

type Table = Arc<Mutex<HashMap<String, Vec<Deliver>>>>;

/// A connection to a Redis server, and this node's subscriptions on it.
#[derive(Clone)]
pub(crate) struct Redis {
    connection: ConnectionManager,
    subscriptions: Table,
}

impl Redis {
    /// Connects with `client` (its URL's credentials, and TLS for `rediss://`), speaking
    /// RESP3, which carries pub/sub messages on an ordinary connection.
    pub(crate) async fn connect(client: redis::Client) -> Result<Self, ClusterError> {
        let info = client.get_connection_info().clone();
        let settings = info.redis_settings().clone();
        let info = info.set_redis_settings(settings.set_protocol(redis::ProtocolVersion::RESP3));
        let client = redis::Client::open(info).map_err(broker_error)?;
        let subscriptions = Table::default();
        let table = subscriptions.clone();
        let config = ConnectionManagerConfig::new()
            .set_push_sender(move |push: PushInfo| {
                dispatch(&table, &push);
                Ok::<(), std::convert::Infallible>(())
            })
            .set_automatic_resubscription()
            .set_connection_timeout(Some(Duration::from_secs(5)))
            .set_response_timeout(Some(Duration::from_secs(5)))
            .set_max_delay(Duration::from_secs(2))
            .set_number_of_retries(3);
        let connection = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(broker_error)?;
        Ok(Self {
            connection,
            subscriptions,
        })
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Deliver>>> {
        self.subscriptions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) async fn publish(&self, subject: &str, payload: Bytes) -> Result<(), ClusterError> {
        let mut connection = self.connection.clone();
        redis::cmd("PUBLISH")
            .arg(subject)
            .arg(payload.as_ref())
            .exec_async(&mut connection)
            .await
            .map_err(broker_error)
    }

    pub(crate) async fn subscribe(
        &self,
        subject: &str,
        deliver: Deliver,
    ) -> Result<(), ClusterError> {
        let first = {
            let mut table = self.table();
            let delivers = table.entry(subject.to_owned()).or_default();
            delivers.push(deliver);
            delivers.len() == 1
        };
        if first {
            let mut connection = self.connection.clone();
            if let Err(e) = connection.subscribe(subject).await {
                // Not subscribed: the next subscription to the channel tries again.
                self.table().remove(subject);
                return Err(broker_error(e));
            }
        }
        Ok(())
    }
}

/// Hands a pushed message to its channel's subscribers, forgetting those that are done.
fn dispatch(table: &Table, push: &PushInfo) {
    if push.kind != PushKind::Message {
        return;
    }
    let [Value::BulkString(channel), Value::BulkString(payload)] = push.data.as_slice() else {
        return;
    };
    let Ok(channel) = std::str::from_utf8(channel) else {
        return;
    };
    let payload = Bytes::copy_from_slice(payload);
    let mut table = table.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(delivers) = table.get_mut(channel) {
        delivers.retain(|deliver| deliver(payload.clone()));
    }
}
