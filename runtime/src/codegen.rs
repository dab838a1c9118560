//! The one door generated code comes through. Everything it names is re-exported here, so a
//! generated file depends on nothing but `::thrift_bidi::__codegen`, and the helpers that would
//! otherwise be repeated in every generated struct are written (and tested) once.
//!
//! Not a public API: it changes whenever the generator does.

pub use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
pub use std::sync::LazyLock;

pub use bytes::Bytes;
pub use bytestring::ByteString;
pub use uuid::Uuid;

pub use crate::message::{ApplicationErrorKind, ApplicationException, Incoming, Outgoing};
pub use crate::protocol::{ProtocolError, ProtocolErrorKind, Reader, TType, Writer};
pub use crate::service::Service;
pub use crate::value::{UnknownFields, Value, VecMap, VecSet};
pub use crate::{
    BlockingClient, BlockingRuntime, Channel, ChannelBuilder, Error, MakeCallbacks, Ready,
};

/// Reads the value of field `field` of `owner`, adding the field to the path of any error.
#[inline]
pub fn read_field<R: Reader, T: Value>(
    r: &mut R,
    owner: &str,
    field: &str,
) -> Result<T, ProtocolError> {
    T::read(r).map_err(|e| e.in_field(owner, field))
}

/// Writes field `id` holding `value`.
#[inline]
pub fn write_field<W: Writer, T: Value>(w: &mut W, id: i16, value: &T) {
    w.write_field_begin(T::TTYPE, id);
    value.write(w);
    w.write_field_end();
}

/// The error for a required field that was not in the input.
#[cold]
pub fn missing_field(owner: &str, field: &str) -> ProtocolError {
    ProtocolError::new(
        ProtocolErrorKind::MissingField,
        format!("required field `{field}` of `{owner}` is missing"),
    )
}

/// The error for a union with no field set, or more than one.
#[cold]
pub fn bad_union(owner: &str, fields: usize) -> ProtocolError {
    let message = if fields == 0 {
        format!("union `{owner}` has no field set that this side knows")
    } else {
        format!("union `{owner}` has more than one field set")
    };
    ProtocolError::new(ProtocolErrorKind::InvalidData, message)
}

/// The error for a reply with neither a result nor a declared exception.
#[cold]
pub fn missing_result(method: &str) -> Error {
    Error::Application(ApplicationException::new(
        ApplicationErrorKind::MissingResult,
        format!("{method} failed: unknown result"),
    ))
}

/// Serde support for generated types (`Config::serde`).
#[cfg(feature = "serde")]
pub use crate::json;
