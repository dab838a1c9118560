//! What a channel's calls put on the wire besides their args, and what it reads back: the
//! name a call goes under (with a multiplexed service's prefix), its headers (the channel's,
//! its deadline and trace context), and the result or error a reply carries.
//!
//! Input: a call's method, deadline and trace; its reply. Output: the name and headers to send;
//! the result struct, or the error the reply says.

use std::borrow::Cow;

use tokio::time::Instant;

use super::Channel;
use crate::call::Trace;
use crate::headers::Headers;
use crate::message::{ApplicationErrorKind, ApplicationException, Incoming};
use crate::protocol::MessageType;
use crate::value::Value;
use crate::Error;

impl Channel {
    /// The result struct a reply to a call of `method` carries, or the error it says.
    pub(super) fn read_reply<R: Value>(&self, reply: &Incoming, method: &str) -> Result<R, Error> {
        crate::call::received_reply(reply.headers());
        if reply.kind() == MessageType::Exception {
            let exception: ApplicationException = reply.body()?;
            if exception.kind == ApplicationErrorKind::Timeout {
                return Err(Error::Timeout);
            }
            return Err(Error::Application(exception));
        }
        if !self.answers(reply.method(), method) {
            let message = format!("called {method}, reply names {}", reply.method());
            let exception =
                ApplicationException::new(ApplicationErrorKind::WrongMethodName, message);
            return Err(Error::Application(exception));
        }
        Ok(reply.body()?)
    }

    /// Whether a reply named `reply` answers a call of `method`: multiplexed replies name the
    /// method alone (as Apache's processor sends them) or with the service prefix.
    fn answers(&self, reply: &str, method: &str) -> bool {
        let unprefixed = match &self.service {
            Some(service) => reply
                .strip_prefix(&**service)
                .and_then(|rest| rest.strip_prefix(':'))
                .unwrap_or(reply),
            None => reply,
        };
        unprefixed == method
    }

    pub(super) fn name(&self, method: &str) -> String {
        match &self.service {
            Some(service) => format!("{service}:{method}"),
            None => method.to_owned(),
        }
    }
}

/// The headers a call with `deadline` and `trace` sends: `channel`'s, and, where the transport
/// carries headers (`carries`), the time it leaves the peer (whole milliseconds, rounded up)
/// and its `traceparent`; [`Error::Timeout`] if no time is left.
pub(crate) fn wire_headers<'h>(
    channel: Option<&'h Headers>,
    deadline: Option<Instant>,
    trace: Option<&Trace>,
    carries: bool,
) -> Result<Option<Cow<'h, Headers>>, Error> {
    let left = deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
    if left.is_some_and(|left| left.is_zero()) {
        return Err(Error::Timeout);
    }
    // Without headers on the wire (framed, buffered) there is nothing to add them to.
    let left = left.filter(|_| carries);
    let channel = channel.map(Cow::Borrowed);
    if left.is_none() && trace.is_none() {
        return Ok(channel);
    }
    let mut headers = channel.map(Cow::into_owned).unwrap_or_default();
    if let Some(left) = left {
        let ms = crate::call::timeout_millis(left).to_string();
        headers.insert(crate::call::TIMEOUT_HEADER, ms);
    }
    if let Some(trace) = trace {
        headers.insert(crate::call::TRACEPARENT_HEADER, trace.traceparent());
    }
    Ok(Some(Cow::Owned(headers)))
}
