//! The buffered transport's framing: where a message ends, found by walking its encoding as
//! its bytes arrive (the transport puts nothing between messages). JSON is scanned for its
//! closing bracket instead ([`json`]).
//!
//! Input: the bytes of the message so far, from its start, after each read. Output: the
//! message's length once it is complete, or a protocol error.
//!
//! The walk is resumable, one value at a time (the message header, a field header, a scalar, a
//! string with its length, a container's header): when the bytes run out in the middle of one,
//! the reader is rewound to its start, and the walk goes on from there when more bytes come.
//! So each byte is walked over a bounded number of times however the message is trickled in,
//! where walking the whole message again after every read would be quadratic in its size.

mod json;

use bytes::Bytes;

use crate::protocol::binary::BinaryReader;
use crate::protocol::compact::CompactReader;
use crate::protocol::{Limits, Protocol, ProtocolError, ProtocolErrorKind, Resumable, TType};

/// Where the walk of one message stands, in the message's protocol.
pub(crate) enum Measure {
    Binary(Walk<BinaryReader>),
    Compact(Walk<CompactReader>),
    Json(json::Scan),
}

impl Measure {
    /// A walk at the start of a message.
    pub(crate) fn new(protocol: Protocol, limits: Limits) -> Self {
        match protocol {
            Protocol::Binary => Self::Binary(Walk::new(limits)),
            Protocol::Compact => Self::Compact(Walk::new(limits)),
            Protocol::Json => Self::Json(json::Scan::default()),
        }
    }

    /// Walks on over `data` (the message so far, from its start, and maybe more after it):
    /// the message's length once it is complete. The walk keeps no hold on `data`.
    pub(crate) fn advance(&mut self, data: Bytes) -> Result<Option<usize>, ProtocolError> {
        match self {
            Self::Binary(walk) => walk.advance(data),
            Self::Compact(walk) => walk.advance(data),
            Self::Json(scan) => scan.advance(&data),
        }
    }

    /// How many bytes the walk has moved over, counting those of values it had to go back
    /// to the start of.
    #[cfg(test)]
    pub(crate) fn scanned(&self) -> usize {
        match self {
            Self::Binary(walk) => walk.scanned,
            Self::Compact(walk) => walk.scanned,
            Self::Json(scan) => scan.pos,
        }
    }
}

/// A value being walked through: what comes next inside it.
enum Frame {
    /// Field headers, up to the field stop.
    Struct,
    /// `left` more elements of one type.
    Items { element: TType, left: usize },
    /// `left` more keys and values, alternating (a key when `left` is even).
    Pairs {
        key: TType,
        value: TType,
        left: usize,
    },
}

pub(crate) struct Walk<R> {
    reader: R,
    /// The message header has been read.
    started: bool,
    /// The type of the value that comes next, its header not yet read.
    next: Option<TType>,
    frames: Vec<Frame>,
    scanned: usize,
}

impl<R: Resumable> Walk<R> {
    fn new(limits: Limits) -> Self {
        Self {
            reader: R::empty(limits),
            started: false,
            next: None,
            frames: Vec::new(),
            scanned: 0,
        }
    }

    fn advance(&mut self, data: Bytes) -> Result<Option<usize>, ProtocolError> {
        self.reader.input().swap(data);
        let measured = loop {
            let start = self.reader.input().position();
            let step = self.step();
            let end = self.reader.input().position();
            self.scanned += end - start;
            match step {
                Ok(true) => break Ok(Some(end)),
                Ok(false) => {}
                Err(e) if e.kind() == ProtocolErrorKind::UnexpectedEof => {
                    self.reader.input().rewind(start);
                    break Ok(None);
                }
                Err(e) => break Err(e),
            }
        };
        // The buffer goes back to the transport unshared.
        self.reader.input().swap(Bytes::new());
        measured
    }

    /// Reads one value's header (or a whole scalar); `true` once the message has ended. The
    /// walk's own state changes only after the read succeeds, so that a read the bytes ran out
    /// in can be made again.
    fn step(&mut self) -> Result<bool, ProtocolError> {
        if !self.started {
            self.reader.read_message_begin()?;
            self.started = true;
            self.next = Some(TType::Struct);
            return Ok(false);
        }
        if let Some(ty) = self.next {
            let frame = self.open(ty)?;
            self.next = None;
            self.frames.extend(frame);
            return Ok(false);
        }
        let Some(frame) = self.frames.last_mut() else {
            return Ok(true);
        };
        match frame {
            Frame::Struct => match self.reader.read_field_begin()? {
                Some((ty, _)) => self.next = Some(ty),
                None => {
                    self.reader.read_struct_end()?;
                    self.frames.pop();
                }
            },
            Frame::Items { left: 0, .. } => {
                self.reader.read_list_end()?;
                self.frames.pop();
            }
            Frame::Pairs { left: 0, .. } => {
                self.reader.read_map_end()?;
                self.frames.pop();
            }
            Frame::Items { element, left } => {
                *left -= 1;
                self.next = Some(*element);
            }
            Frame::Pairs { key, value, left } => {
                self.next = Some(if *left % 2 == 0 { *key } else { *value });
                *left -= 1;
            }
        }
        Ok(false)
    }

    /// Reads the header of a value of type `ty`: the frame to walk through for a struct or a
    /// container, nothing more for a scalar (read whole).
    fn open(&mut self, ty: TType) -> Result<Option<Frame>, ProtocolError> {
        let r = &mut self.reader;
        Ok(Some(match ty {
            TType::Struct => {
                r.read_struct_begin()?;
                Frame::Struct
            }
            TType::List | TType::Set => {
                let header = if ty == TType::List {
                    r.read_list_begin()?
                } else {
                    r.read_set_begin()?
                };
                Frame::Items {
                    element: header.element,
                    left: header.len,
                }
            }
            TType::Map => {
                let header = r.read_map_begin()?;
                Frame::Pairs {
                    key: header.key,
                    value: header.value,
                    left: header.len * 2,
                }
            }
            scalar => {
                r.skip(scalar)?;
                return Ok(None);
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use bytes::BytesMut;

    use super::*;
    use crate::protocol::{MessageHeader, MessageType, Reader, Writer};
    use crate::value::Value;

    /// A struct with a value of every shape the walk goes through.
    #[derive(Default)]
    struct Sample {
        flags: Vec<bool>,
        names: BTreeMap<String, Vec<i64>>,
        ratio: f64,
        id: crate::Uuid,
        nested: Option<Box<Sample>>,
    }

    impl Value for Sample {
        const TTYPE: TType = TType::Struct;
        fn write<W: Writer>(&self, w: &mut W) {
            w.write_struct_begin();
            crate::__codegen::write_field(w, 1, &self.flags);
            crate::__codegen::write_field(w, 2, &self.names);
            crate::__codegen::write_field(w, 3, &self.ratio);
            crate::__codegen::write_field(w, 4, &self.id);
            crate::__codegen::write_field(w, -5, &true);
            if let Some(nested) = &self.nested {
                crate::__codegen::write_field(w, 300, nested);
            }
            w.write_field_stop();
            w.write_struct_end();
        }
        fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
            r.skip(TType::Struct).map(|()| Self::default())
        }
    }

    fn sample(depth: usize) -> Sample {
        let names = (0..100)
            .map(|i| (format!("name {i}"), (0..i).collect()))
            .collect();
        Sample {
            flags: (0..100).map(|i| i % 3 == 0).collect(),
            names,
            ratio: 0.5,
            id: crate::Uuid::from_u128(7),
            nested: (depth > 0).then(|| Box::new(sample(depth - 1))),
        }
    }

    fn message(protocol: Protocol) -> Bytes {
        let header = MessageHeader {
            name: "measure".into(),
            kind: MessageType::Call,
            seqid: 9,
        };
        let mut buf = BytesMut::new();
        protocol.encode_message(&header, &sample(1), &mut buf);
        buf.freeze()
    }

    /// Feeds `message` to a walk in pieces of the sizes `sizes` gives, followed by the start
    /// of another message: the walk finds the end exactly when the last byte has come, and
    /// not before. Returns the bytes scanned and the number of pieces.
    fn trickle(
        protocol: Protocol,
        message: &Bytes,
        mut sizes: impl FnMut() -> usize,
    ) -> (usize, usize) {
        let mut measure = Measure::new(protocol, Limits::default());
        let mut stream = message.to_vec();
        stream.extend_from_slice(&message[..10]);
        let (mut arrived, mut pieces) = (0, 0);
        loop {
            arrived = (arrived + sizes().max(1)).min(stream.len());
            pieces += 1;
            let measured = measure.advance(Bytes::copy_from_slice(&stream[..arrived]));
            if arrived < message.len() {
                assert_eq!(
                    measured,
                    Ok(None),
                    "incomplete at {arrived} of {}",
                    message.len()
                );
            } else {
                assert_eq!(measured, Ok(Some(message.len())));
                return (measure.scanned(), pieces);
            }
        }
    }

    #[test]
    fn a_message_trickled_in_a_byte_at_a_time_is_scanned_in_linear_time() {
        for protocol in [Protocol::Binary, Protocol::Compact, Protocol::Json] {
            let message = message(protocol);
            let (scanned, pieces) = trickle(protocol, &message, || 1);
            let len = message.len();
            println!("{protocol:?}: {len} bytes, {pieces} pieces, {scanned} bytes scanned");
            // Each byte once, and for each piece at most the start of one value again (the
            // longest value header is a 16-byte uuid). Walking from the start after each
            // piece would scan about len * len / 2 bytes.
            assert!(scanned <= len + 16 * pieces, "{scanned} bytes scanned");
            assert!(len > 10_000 && scanned < 8 * len, "{scanned} bytes scanned");
        }
    }

    #[test]
    fn the_end_is_found_however_the_bytes_are_split() {
        let mut seed = 0x2545_f491_u64;
        let mut random = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            usize::try_from(seed >> 55).unwrap_or(1)
        };
        for protocol in [Protocol::Binary, Protocol::Compact, Protocol::Json] {
            let message = message(protocol);
            for _ in 0..20 {
                let (scanned, pieces) = trickle(protocol, &message, &mut random);
                assert!(scanned <= message.len() + 16 * pieces);
            }
            let (_, pieces) = trickle(protocol, &message, || usize::MAX);
            assert_eq!(pieces, 1, "whole at once");
        }
    }

    #[test]
    fn malformed_input_is_an_error_before_the_message_is_complete() {
        let message = message(Protocol::Binary);
        let mut bad = message[..40].to_vec();
        // The first field header of the args: type code 1 is no type.
        let field = 4 + 4 + "measure".len() + 4;
        bad[field] = 1;
        let mut measure = Measure::new(Protocol::Binary, Limits::default());
        let measured = measure.advance(Bytes::from(bad));
        assert_eq!(
            measured.map_err(|e| e.kind()),
            Err(ProtocolErrorKind::InvalidData)
        );
    }
}
