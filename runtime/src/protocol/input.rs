//! The input side shared by the readers: [`Input`] (a buffer, a position, the limits, the depth
//! and the decoded-bytes budget) with its checks, and [`Resumable`] for the buffered transport,
//! which feeds a reader one message in pieces.

use super::{binary, compact, json, Limits, ProtocolError, ProtocolErrorKind, Reader};

/// A reader over an [`Input`].
pub(crate) trait HasInput: Reader {
    /// Its input.
    fn input(&mut self) -> &mut Input;
}

/// A reader that can be fed one message in pieces (the buffered transport's walk): its input
/// is swapped for a longer copy of the same bytes as they arrive, keeping its position and
/// state, and it is rewound to the start of a value the bytes ran out in. (Not JSON: what
/// separates its values is state that a rewind would have to undo.)
pub(crate) trait Resumable: HasInput {
    /// A reader of nothing yet, within `limits`.
    fn empty(limits: Limits) -> Self;
}

macro_rules! has_input {
    ($($reader:ty),*) => {$(
        impl HasInput for $reader {
            fn input(&mut self) -> &mut Input {
                &mut self.input
            }
        }
    )*};
}

has_input!(
    binary::BinaryReader,
    compact::CompactReader,
    json::JsonReader
);

impl Resumable for binary::BinaryReader {
    fn empty(limits: Limits) -> Self {
        Self::new(bytes::Bytes::new(), limits)
    }
}

impl Resumable for compact::CompactReader {
    fn empty(limits: Limits) -> Self {
        Self::new(bytes::Bytes::new(), limits)
    }
}

/// The input of a reader: a buffer, a position, the limits and the current depth.
#[derive(Debug)]
pub(crate) struct Input {
    pub(super) data: bytes::Bytes,
    pub(super) pos: usize,
    pub(super) limits: Limits,
    pub(super) depth: usize,
    /// Bytes charged for decoded values.
    pub(super) decoded: usize,
}

impl Input {
    #[inline]
    pub(super) fn new(data: bytes::Bytes, limits: Limits) -> Self {
        Self {
            data,
            pos: 0,
            limits,
            depth: 0,
            decoded: 0,
        }
    }

    /// Bytes charged for decoded values so far.
    pub(crate) fn decoded(&self) -> usize {
        self.decoded
    }

    #[inline]
    pub(super) fn charge(&mut self, bytes: usize) -> Result<(), ProtocolError> {
        self.decoded = self.decoded.saturating_add(bytes);
        if self.decoded > self.limits.max_decoded {
            return Err(over_decoded(self.limits.max_decoded));
        }
        Ok(())
    }

    /// How many bytes have been read.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// The bytes read since `start`.
    pub(super) fn since(&self, start: usize) -> bytes::Bytes {
        self.data.slice(start..self.pos)
    }

    /// Goes back to `pos` (the start of a value the bytes ran out in).
    pub(crate) fn rewind(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// Reads on in `data` (the bytes so far, from the same start), handing back the old input.
    pub(crate) fn swap(&mut self, data: bytes::Bytes) -> bytes::Bytes {
        std::mem::replace(&mut self.data, data)
    }

    #[inline]
    pub(super) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    #[inline]
    pub(super) fn byte(&mut self) -> Result<u8, ProtocolError> {
        let b = *self.data.get(self.pos).ok_or_else(ProtocolError::eof)?;
        self.pos += 1;
        Ok(b)
    }

    #[inline]
    pub(super) fn array<const N: usize>(&mut self) -> Result<[u8; N], ProtocolError> {
        let bytes = self
            .data
            .get(self.pos..self.pos + N)
            .ok_or_else(ProtocolError::eof)?;
        self.pos += N;
        Ok(bytes.try_into().unwrap_or([0; N]))
    }

    /// The next `len` bytes, borrowed.
    #[inline]
    pub(super) fn take_slice(&mut self, len: usize) -> Result<&[u8], ProtocolError> {
        let out = self
            .data
            .get(self.pos..self.pos.saturating_add(len))
            .ok_or_else(ProtocolError::eof)?;
        self.pos += len;
        Ok(out)
    }

    /// The next `len` bytes, sharing the buffer.
    #[inline]
    pub(super) fn take(&mut self, len: usize) -> Result<bytes::Bytes, ProtocolError> {
        if len > self.remaining() {
            return Err(ProtocolError::eof());
        }
        let out = self.data.slice(self.pos..self.pos + len);
        self.pos += len;
        Ok(out)
    }

    /// Fails unless `count` values of at least `size` bytes each can still follow (as with a
    /// string, a claim beyond the input is its end coming too soon).
    #[inline]
    pub(super) fn fits(&self, count: usize, size: usize) -> Result<(), ProtocolError> {
        if count.saturating_mul(size) > self.remaining() {
            return Err(too_many_claimed(count, self.remaining()));
        }
        Ok(())
    }

    #[inline]
    pub(super) fn enter(&mut self) -> Result<(), ProtocolError> {
        if self.depth >= self.limits.max_depth {
            return Err(too_deep(self.limits.max_depth));
        }
        self.depth += 1;
        Ok(())
    }

    #[inline]
    pub(super) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}

/// Checks a decoded length against its limit.
#[inline]
pub(super) fn check_len(len: usize, limit: usize, what: &str) -> Result<usize, ProtocolError> {
    if len > limit {
        return Err(over_limit(len, limit, what));
    }
    Ok(len)
}

// The errors of the checks above, built out of line so the checks stay small enough to
// inline into generated code.

#[cold]
pub(super) fn unknown_type_code(code: u8) -> ProtocolError {
    ProtocolError::invalid(format!("unknown type code {code}"))
}

#[cold]
fn too_many_claimed(count: usize, remaining: usize) -> ProtocolError {
    let message = format!("{count} elements claimed, but only {remaining} bytes remain");
    ProtocolError::new(ProtocolErrorKind::UnexpectedEof, message)
}

#[cold]
fn too_deep(max_depth: usize) -> ProtocolError {
    let message = format!("values nested deeper than {max_depth}");
    ProtocolError::new(ProtocolErrorKind::DepthLimit, message)
}

#[cold]
fn over_decoded(max: usize) -> ProtocolError {
    let message = format!("decoded values would take more than the limit of {max} bytes");
    ProtocolError::new(ProtocolErrorKind::SizeLimit, message)
}

#[cold]
fn over_limit(len: usize, limit: usize, what: &str) -> ProtocolError {
    let message = format!("{what} length {len} is over the limit of {limit}");
    ProtocolError::new(ProtocolErrorKind::SizeLimit, message)
}
