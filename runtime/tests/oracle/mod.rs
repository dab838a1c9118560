//! Mappings from our protocol vocabulary to the oracle's (Apache's `thrift` crate 0.17),
//! shared by the oracle tests.

use thrift::protocol as ap;
use thrift_bidi::protocol::{MessageType, TType};

/// Apache's name for a wire type (it has no `uuid` in 0.17).
pub(crate) fn apache_type(t: TType) -> ap::TType {
    match t {
        TType::Stop => ap::TType::Stop,
        TType::Bool => ap::TType::Bool,
        TType::I8 => ap::TType::I08,
        TType::Double => ap::TType::Double,
        TType::I16 => ap::TType::I16,
        TType::I32 => ap::TType::I32,
        TType::I64 => ap::TType::I64,
        TType::String => ap::TType::String,
        TType::Struct => ap::TType::Struct,
        TType::Map => ap::TType::Map,
        TType::Set => ap::TType::Set,
        TType::List => ap::TType::List,
        TType::Uuid => unreachable!("Apache 0.17 has no uuid"),
    }
}

/// Apache's name for a message type.
pub(crate) fn apache_kind(k: MessageType) -> ap::TMessageType {
    match k {
        MessageType::Call => ap::TMessageType::Call,
        MessageType::Reply => ap::TMessageType::Reply,
        MessageType::Exception => ap::TMessageType::Exception,
        MessageType::Oneway => ap::TMessageType::OneWay,
    }
}
