//! The interception hook: how a layer above the connection (the bidirectional hello) takes
//! incoming calls for itself before they reach the service, without the connection knowing
//! what it does.

use crate::message::{Incoming, Outgoing};

/// Sees every incoming CALL and ONEWAY before it is routed to the service.
pub(crate) trait Intercept: Send + Sync + 'static {
    /// `Ok(call)` routes the call on; `Err(answer)` sends `answer` instead, before anything
    /// read after the call is routed.
    fn intercept(&self, call: Incoming) -> Result<Incoming, Outgoing>;
}

/// No interception: every call goes to the service.
impl Intercept for () {
    fn intercept(&self, call: Incoming) -> Result<Incoming, Outgoing> {
        Ok(call)
    }
}
