//! W3C trace context: the `traceparent` a call carries (over THeader, as an info header), so
//! that the spans of a call, the callbacks made while serving it and the calls those make
//! join one trace across processes, without OpenTelemetry in the build. A call that comes
//! with a valid `traceparent` continues its trace; one without starts a trace of its own.
//!
//! Input: an incoming call's `traceparent`, if any. Output: the call's [`Trace`], whose
//! `traceparent` each call made while serving it carries (so the peer's handler names this
//! call's span as its parent).
//!
//! A subscriber that gives spans ids of its own (OpenTelemetry's) plugs them in with
//! [`set_tracer`], so that what goes on the wire names its spans.

use std::sync::OnceLock;

use bytes::Bytes;

/// The header that carries the trace context (W3C Trace Context).
pub const TRACEPARENT_HEADER: &str = "traceparent";

/// Where a call stands in its trace: the trace's id, the call's own span id, and the span id
/// of the call that made it (none for the first call of a trace).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trace {
    id: u128,
    span: u64,
    parent: Option<u64>,
    flags: u8,
}

impl Trace {
    /// The trace's id (the same for every call of the trace).
    pub fn trace_id(&self) -> u128 {
        self.id
    }

    /// This call's span id.
    pub fn span_id(&self) -> u64 {
        self.span
    }

    /// The span id of the call that made this one, if it came with a trace.
    pub fn parent_id(&self) -> Option<u64> {
        self.parent
    }

    /// The trace a span has where a [`Tracer`] keeps its ids: `trace_id` and the span's own
    /// `span_id`, sampled or not; `None` if either id is zero (which W3C reserves: no trace).
    ///
    /// ```
    /// use thrift_bidi::call::Trace;
    /// let trace = Trace::new(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736, 0x00f0_67aa_0ba9_02b7, true);
    /// assert_eq!(trace.map(|t| t.span_id()), Some(0x00f0_67aa_0ba9_02b7));
    /// assert_eq!(Trace::new(0, 1, true), None);
    /// ```
    pub fn new(trace_id: u128, span_id: u64, sampled: bool) -> Option<Self> {
        (trace_id != 0 && span_id != 0).then_some(Self {
            id: trace_id,
            span: span_id,
            parent: None,
            flags: u8::from(sampled),
        })
    }

    /// The trace of an incoming call that carried `traceparent` (if it is valid), or else of
    /// a call that starts a trace.
    pub(crate) fn continuing(traceparent: Option<&Bytes>) -> Self {
        match traceparent.and_then(|value| parse(value)) {
            Some((id, parent, flags)) => Self {
                id,
                span: span_id(),
                parent: Some(parent),
                flags,
            },
            None => Self::root(),
        }
    }

    /// The trace of a call that starts one (sampled).
    pub(crate) fn root() -> Self {
        Self {
            id: fastrand::u128(1..),
            span: span_id(),
            parent: None,
            flags: 1,
        }
    }

    /// The `traceparent` that names this call as the parent of the one it is sent with.
    pub(crate) fn traceparent(&self) -> String {
        format!("00-{:032x}-{:016x}-{:02x}", self.id, self.span, self.flags)
    }
}

/// Trace ids kept by a tracing subscriber (OpenTelemetry's, through `tracing-opentelemetry`):
/// with one installed ([`set_tracer`]), the `traceparent` a call sends names the span the
/// subscriber gave it, and an incoming call's span becomes the child of its caller's, so the
/// subscriber's spans join one trace across processes. Without one, the runtime makes the
/// ids itself, and its spans carry the trace id in their `trace_id` field.
///
/// `idl-examples/src/bin/otel-demo.rs` implements it with OpenTelemetry. The shape:
///
/// ```
/// use thrift_bidi::call::{set_tracer, Trace, Tracer};
///
/// struct Ids;
///
/// impl Tracer for Ids {
///     fn outbound(&self, span: &tracing::Span) -> Option<Trace> {
///         // The ids the subscriber gave `span` (OpenTelemetry: `span.context()`).
///         # let _ = span;
///         None
///     }
///
///     fn inbound(&self, span: &tracing::Span, trace: &Trace) {
///         // Make `span` the child of the caller's span (OpenTelemetry: `span.set_parent`).
///         # let _ = (span, trace);
///     }
/// }
///
/// assert!(set_tracer(Ids).is_ok());
/// ```
pub trait Tracer: Send + Sync + 'static {
    /// The trace an outgoing call carries: the trace id and span id the subscriber gave its
    /// `span` (the child of the span current where the call is made); `None` leaves the ids
    /// to the runtime.
    fn outbound(&self, span: &tracing::Span) -> Option<Trace>;

    /// Tells the subscriber that an incoming call's `span`, not yet entered, continues `trace`:
    /// [`Trace::trace_id`], with the caller's span as [`Trace::parent_id`]. (Only for calls
    /// that came with a `traceparent`, and spans a subscriber records.)
    fn inbound(&self, span: &tracing::Span, trace: &Trace);
}

static TRACER: OnceLock<Box<dyn Tracer>> = OnceLock::new();

/// Installs `tracer` for every call of the process, once: a second tracer is handed back.
pub fn set_tracer<T: Tracer>(tracer: T) -> Result<(), Box<dyn Tracer>> {
    TRACER.set(Box::new(tracer))
}

/// The tracer installed, if any.
pub(crate) fn tracer() -> Option<&'static dyn Tracer> {
    TRACER.get().map(Box::as_ref)
}

/// A new span id (never zero, which W3C reserves).
fn span_id() -> u64 {
    fastrand::u64(1..)
}

/// The trace id, parent id and flags of a `traceparent`: version (any but `ff`), 32 and 16
/// lowercase hex digits (not all zeros), flags; later versions may append fields.
fn parse(value: &[u8]) -> Option<(u128, u64, u8)> {
    let text = std::str::from_utf8(value).ok()?;
    let mut fields = text.trim().split('-');
    let (version, trace, parent, flags) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    let lower_hex = |field: &str, len: usize| {
        field.len() == len
            && field
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    let valid = lower_hex(version, 2)
        && version != "ff"
        && lower_hex(trace, 32)
        && lower_hex(parent, 16)
        && lower_hex(flags, 2)
        && (version != "00" || fields.next().is_none());
    if !valid {
        return None;
    }
    let trace_id = u128::from_str_radix(trace, 16).ok()?;
    let parent_id = u64::from_str_radix(parent, 16).ok()?;
    let flags = u8::from_str_radix(flags, 16).ok()?;
    (trace_id != 0 && parent_id != 0).then_some((trace_id, parent_id, flags))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specifications_example_is_read_and_written_back() {
        // W3C Trace Context, section 3.2.2.
        let example = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let trace = Trace::continuing(Some(&Bytes::from_static(example.as_bytes())));
        assert_eq!(trace.trace_id(), 0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736);
        assert_eq!(trace.parent_id(), Some(0x00f0_67aa_0ba9_02b7));
        assert_ne!(trace.span_id(), 0x00f0_67aa_0ba9_02b7, "a span of its own");
        let sent = trace.traceparent();
        assert!(
            sent.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"),
            "{sent}"
        );
        assert!(sent.ends_with("-01"), "{sent}");
        assert_eq!(
            parse(sent.as_bytes()),
            Some((trace.trace_id(), trace.span_id(), 1))
        );
    }

    #[test]
    fn invalid_traceparents_start_a_trace_of_their_own() {
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
        ] {
            assert_eq!(parse(bad.as_bytes()), None, "{bad}");
            let trace = Trace::continuing(Some(&Bytes::from_static(bad.as_bytes())));
            assert_eq!(trace.parent_id(), None, "{bad}");
        }
        // A later version may carry more fields.
        let later = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more";
        assert!(parse(later.as_bytes()).is_some());
    }
}
