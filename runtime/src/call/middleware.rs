//! Middleware (feature `tower`): tower layers around a service, generated or not, on servers
//! and on clients' callback services alike. A service is seen by the layers as a
//! `tower::Service<Incoming>` answering `Option<Outgoing>` ([`IntoTower`]); the layered stack
//! is a [`Service`] again ([`Layered`]), which a server serves as any other.
//!
//! Input: a [`Service`] and a tower layer. Output: a [`Service`] whose calls pass the layer.
//!
//! ```no_run
//! # async fn example(service: impl thrift_bidi::Service, listener: tokio::net::TcpListener) {
//! use std::time::Duration;
//! use thrift_bidi::call::Layered;
//!
//! // Built once: clones share the layers' state (a `concurrency_limit`'s permits, say)
//! // across every connection the server serves.
//! let layered = Layered::new(
//!     service,
//!     tower::ServiceBuilder::new()
//!         .load_shed()
//!         .timeout(Duration::from_secs(5)),
//! );
//! thrift_bidi::Server::builder()
//!     .serve(listener, layered, std::future::pending())
//!     .await;
//! # }
//! ```
//!
//! Inside a layer, the call is an [`Incoming`]: its [`method`](Incoming::method) and
//! [`headers`](Incoming::headers), and the whole call's [`context`](super::context) (which a
//! layer may fill with [`Context::insert`](super::Context::insert) for the handler). An error
//! a layer returns answers the call with an application exception: tower's timeout `TIMEOUT`
//! (12), its load shedding `LOADSHEDDING` (11), any other `INTERNAL_ERROR` saying what it was.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tower::ServiceExt;

use crate::message::{ApplicationErrorKind, ApplicationException, Incoming, Outgoing};
use crate::service::Service;

/// What a layer may fail with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A [`Service`] as the innermost `tower::Service` of a stack: it is always ready, and never
/// fails (a handler's failure is its answer).
pub struct IntoTower<S>(Arc<S>);

impl<S> Clone for IntoTower<S> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<S: Service> tower_service::Service<Incoming> for IntoTower<S> {
    type Response = Option<Outgoing>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Option<Outgoing>, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, call: Incoming) -> Self::Future {
        let service = self.0.clone();
        Box::pin(async move { Ok(service.call(call).await) })
    }
}

/// A service inside tower layers, served as a [`Service`]. Cloning it clones the stack, so
/// that layers with shared state (a concurrency limit, a rate) share it among the clones: a
/// server serving one `Layered` holds its limits across all its connections.
#[derive(Clone)]
pub struct Layered<T> {
    stack: T,
    name: &'static str,
    callback: Option<&'static str>,
}

impl<T> std::fmt::Debug for Layered<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Layered")
            .field("service", &self.name)
            .finish_non_exhaustive()
    }
}

impl<T> Layered<T> {
    /// `service` inside `layer`.
    pub fn new<S, L>(service: S, layer: L) -> Self
    where
        S: Service,
        L: tower_layer::Layer<IntoTower<S>, Service = T>,
    {
        let (name, callback) = (service.name(), service.callback());
        Self {
            stack: layer.layer(IntoTower(Arc::new(service))),
            name,
            callback,
        }
    }
}

impl<T> Service for Layered<T>
where
    T: tower_service::Service<Incoming, Response = Option<Outgoing>>
        + Clone
        + Send
        + Sync
        + 'static,
    T::Error: Into<BoxError>,
    T::Future: Send,
{
    async fn call(&self, call: Incoming) -> Option<Outgoing> {
        // A clone per call, as tower's services expect: readiness is the clone's own.
        let failed = call.clone();
        match self.stack.clone().oneshot(call).await {
            Ok(answer) => answer,
            Err(error) => failure(&failed, &error.into()),
        }
    }

    fn name(&self) -> &'static str {
        self.name
    }

    fn callback(&self) -> Option<&'static str> {
        self.callback
    }
}

/// The answer to `call` that a layer failed with `error` (none to a oneway).
fn failure(call: &Incoming, error: &BoxError) -> Option<Outgoing> {
    let kind = if error.is::<tower::timeout::error::Elapsed>() {
        ApplicationErrorKind::Timeout
    } else if error.is::<tower::load_shed::error::Overloaded>() {
        ApplicationErrorKind::Loadshedding
    } else {
        ApplicationErrorKind::InternalError
    };
    tracing::debug!(method = call.method(), %error, "a layer refused the call");
    if call.kind() == crate::protocol::MessageType::Oneway {
        return None;
    }
    Some(call.exception(&ApplicationException::new(kind, error.to_string())))
}
