//! The server side of a service: what a connection hands its incoming calls to. Generated
//! processors implement [`Service`] with a `match` on the method name that calls
//! [`Incoming::run`] or [`Incoming::run_oneway`]; [`Multiplexed`] routes `Service:method`
//! names to several services on one connection.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::message::{ApplicationErrorKind, ApplicationException, Incoming, Outgoing};
use crate::protocol::{MessageHeader, MessageType};
use crate::value::Value;
use crate::Error;

/// Handles the calls that arrive on a connection.
pub trait Service: Send + Sync + 'static {
    /// Handles one CALL or ONEWAY; returns the reply to send (`None` for a oneway).
    fn call(&self, call: Incoming) -> impl Future<Output = Option<Outgoing>> + Send;

    /// The IDL name of the service, which a client serving it as its callback service names
    /// in its hello (generated services give theirs).
    fn name(&self) -> &'static str {
        ""
    }

    /// The callback service this service's clients implement, for a bidirectional service
    /// (`bidi.callback`): its connections answer the clients' hellos and may call them back.
    fn callback(&self) -> Option<&'static str> {
        None
    }
}

impl Incoming {
    /// Runs a two-way method: decodes its args as `A`, awaits `handler`, and encodes the
    /// result struct `R` it gives, or the application exception for its error.
    pub async fn run<A, R, F, Fut>(self, handler: F) -> Option<Outgoing>
    where
        A: Value,
        R: Value,
        F: FnOnce(A) -> Fut,
        Fut: Future<Output = Result<R, Error>>,
    {
        let outcome = match self.body::<A>() {
            Ok(args) => handler(args).await,
            Err(e) => Err(Error::Protocol(e)),
        };
        Some(match outcome {
            Ok(result) => self.reply(&result),
            Err(e) => {
                tracing::debug!(method = self.method(), error = %e, "call failed");
                self.exception(&e.to_application())
            }
        })
    }

    /// Runs a oneway method: decodes its args as `A` and awaits `handler`. There is nobody to
    /// tell about a failure, so it is logged.
    pub async fn run_oneway<A, F, Fut>(self, handler: F) -> Option<Outgoing>
    where
        A: Value,
        F: FnOnce(A) -> Fut,
        Fut: Future<Output = Result<(), Error>>,
    {
        let outcome = match self.body::<A>() {
            Ok(args) => handler(args).await,
            Err(e) => Err(Error::Protocol(e)),
        };
        if let Err(e) = outcome {
            tracing::warn!(method = self.method(), error = %e, "oneway call failed");
        }
        None
    }

    /// The answer to a call of a method this side does not have (none to a oneway).
    pub fn unknown_method(self) -> Option<Outgoing> {
        if self.kind() == MessageType::Oneway {
            tracing::debug!(method = self.method(), "oneway call of an unknown method");
            return None;
        }
        let message = format!("unknown method {}", self.method());
        let exception = ApplicationException::new(ApplicationErrorKind::UnknownMethod, message);
        Some(self.exception(&exception))
    }

    /// The context a handler of this call sees, the call having come from `origin`.
    pub(crate) fn context(&self, origin: &crate::call::Origin) -> crate::call::Context {
        crate::call::Context::new(
            origin,
            &self.header.name,
            self.header.seqid,
            self.header.kind == MessageType::Oneway,
            self.headers.clone(),
        )
    }

    /// A REPLY to this call carrying `result`.
    pub(crate) fn reply<R: Value>(&self, result: &R) -> Outgoing {
        let header = MessageHeader {
            name: self.header.name.clone(),
            kind: MessageType::Reply,
            seqid: self.header.seqid,
        };
        Outgoing::encode(self.protocol, &header, result).framed(self.framing)
    }

    /// An EXCEPTION answering this call.
    pub(crate) fn exception(&self, exception: &ApplicationException) -> Outgoing {
        let call = (self.header.name.as_str(), self.header.seqid);
        Outgoing::exception_to(call, self.protocol, self.framing, exception)
    }
}

/// A service for connections that serve nothing (plain clients): every call is an unknown
/// method.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoService;

impl Service for NoService {
    async fn call(&self, call: Incoming) -> Option<Outgoing> {
        call.unknown_method()
    }
}

/// Several services on one connection, told apart by the `Service:method` names of Apache's
/// multiplexed protocol. A name without a `:` goes to the default service, if one is set.
#[derive(Default)]
pub struct Multiplexed {
    services: HashMap<String, Arc<dyn DynService>>,
    default: Option<Arc<dyn DynService>>,
}

impl Multiplexed {
    /// No services yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `service` under `name`.
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, service: impl Service) -> Self {
        self.services.insert(name.into(), Arc::new(service));
        self
    }

    /// Serves `service` for calls whose names have no service prefix (plain clients).
    #[must_use]
    pub fn with_default(mut self, service: impl Service) -> Self {
        self.default = Some(Arc::new(service));
        self
    }

    // The call comes back unrouted for its caller to answer: boxing it would cost every
    // routed call an allocation.
    #[allow(clippy::result_large_err)]
    fn route(&self, mut call: Incoming) -> Result<(Arc<dyn DynService>, Incoming), Incoming> {
        let service = match call.header.name.split_once(':') {
            Some((service, method)) => {
                let Some(found) = self.services.get(service) else {
                    return Err(call);
                };
                // Replies name the method alone, as Apache's multiplexed processor does.
                let method = method.to_owned();
                call.header.name = method;
                found.clone()
            }
            None => match &self.default {
                Some(default) => default.clone(),
                None => return Err(call),
            },
        };
        Ok((service, call))
    }
}

impl Service for Multiplexed {
    async fn call(&self, call: Incoming) -> Option<Outgoing> {
        match self.route(call) {
            Ok((service, call)) => service.call_boxed(call).await,
            Err(call) => call.unknown_method(),
        }
    }

    /// A callback service of the services hosted (one is enough to answer hellos; callbacks
    /// name their service, docs/bidi.md section 6).
    fn callback(&self) -> Option<&'static str> {
        let mut services = self.default.iter().chain(self.services.values());
        services.find_map(|service| service.callback_service())
    }
}

/// [`Service`] behind a pointer, for [`Multiplexed`].
trait DynService: Send + Sync + 'static {
    fn call_boxed(
        &self,
        call: Incoming,
    ) -> Pin<Box<dyn Future<Output = Option<Outgoing>> + Send + '_>>;
    fn callback_service(&self) -> Option<&'static str>;
}

impl<S: Service> DynService for S {
    fn call_boxed(
        &self,
        call: Incoming,
    ) -> Pin<Box<dyn Future<Output = Option<Outgoing>> + Send + '_>> {
        Box::pin(self.call(call))
    }
    fn callback_service(&self) -> Option<&'static str> {
        self.callback()
    }
}
