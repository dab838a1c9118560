//! Apache's THeader transport (`THeaderTransport`), as Apache's Python writes and reads it:
//!
//! ```text
//! i32 length of the rest | u16 0x0FFF | u16 flags | i32 seqid | u16 header words (×4 bytes)
//! header: varint protocol id (0 binary, 1 JSON, 2 compact) | varint transform count | ids…
//!         [varint 1 (key-value) | varint count | (varint len, key, varint len, value)…]…
//!         zero padding to a whole word
//! payload: the message, transformed (1: zlib, a whole zlib stream per frame)
//! ```
//!
//! A THeader server also takes clients that do not speak it, as Apache's do: framed or
//! unframed, binary or compact, told apart by their first bytes ([`Dialect`]), and answered
//! as they spoke.
//!
//! Input: a frame's bytes after its length word. Output: the message, its protocol and its
//! headers (and the reverse for writing). Bounds: the header section is what its length word
//! says (at most 256 KiB) and must lie inside the frame; at most [`MAX_HEADERS`] headers;
//! varints at most 32 bits; a zlib payload at most the frame limit once decompressed.

use bytes::{BufMut, Bytes, BytesMut};
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use crate::headers::Headers;
use crate::protocol::{Protocol, ProtocolError};
use crate::Error;

/// The magic of a header frame.
const MAGIC: u16 = 0x0FFF;
/// The transform id of zlib.
const ZLIB: u32 = 1;
/// The info header type of key-value pairs.
const KEY_VALUE: u32 = 1;
/// The most headers one frame may carry.
pub(crate) const MAX_HEADERS: usize = 1_000;
/// The bytes before the header section: magic, flags, seqid, header length.
const FIXED: usize = 10;

/// How a peer frames its messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    /// THeader frames.
    Header,
    /// THeader frames, each inside a frame (`THeaderProtocol` over `TFramedTransport`).
    HeaderInFramed,
    /// A length, then the message (`TFramedTransport`).
    Framed,
    /// Messages back to back (`TBufferedTransport`).
    Unframed,
}

/// What a word at the start of a message says it is: the binary protocol's strict version,
/// or the compact protocol's id and version.
pub(crate) fn message_protocol(word: [u8; 4]) -> Option<Protocol> {
    if word[..2] == [0x80, 0x01] {
        Some(Protocol::Binary)
    } else if word[0] == 0x82 && word[1] & 0x1f == 1 {
        Some(Protocol::Compact)
    } else {
        None
    }
}

/// The THeader frame inside `frame` when `frame` is just that: a length word saying so, then
/// the header frame's own length and magic.
pub(crate) fn nested(frame: &Bytes) -> Option<Bytes> {
    let (len, inner) = frame.split_first_chunk::<4>()?;
    let whole = u32::from_be_bytes(*len) as usize == inner.len();
    (whole && is_header(*inner.first_chunk::<4>()?)).then(|| frame.slice(4..))
}

/// Whether a frame's first word is a header frame's magic.
pub(crate) fn is_header(word: [u8; 4]) -> bool {
    u16::from_be_bytes([word[0], word[1]]) == MAGIC
}

/// A header frame, read.
#[derive(Debug)]
pub(crate) struct HeaderFrame {
    pub(crate) payload: Bytes,
    pub(crate) protocol: Protocol,
    pub(crate) headers: Headers,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::Protocol(ProtocolError::invalid(message))
}

/// A cursor over the header section.
struct Section {
    data: Bytes,
    pos: usize,
}

impl Section {
    fn varint(&mut self) -> Result<u32, Error> {
        let mut value = 0u32;
        for shift in (0..35).step_by(7) {
            let byte = *self
                .data
                .get(self.pos)
                .ok_or_else(|| invalid("THeader: the header section ends inside a varint"))?;
            self.pos += 1;
            let bits = u32::from(byte & 0x7f);
            if shift == 28 && bits > 0x0f {
                return Err(invalid("THeader: a varint overflows 32 bits"));
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(invalid("THeader: a varint overflows 32 bits"))
    }

    fn string(&mut self) -> Result<Bytes, Error> {
        let len = self.varint()? as usize;
        if len > self.data.len() - self.pos {
            return Err(invalid(
                "THeader: a header string runs past the header section",
            ));
        }
        self.pos += len;
        Ok(self.data.slice(self.pos - len..self.pos))
    }

    fn at_end(&self) -> bool {
        self.pos >= self.data.len()
    }
}

/// Reads a header frame (`frame`: the bytes after its length word), decompressing a zlib
/// transform with `inflater` (made the first time one is needed, and kept).
pub(crate) fn read(
    frame: &Bytes,
    max_frame: usize,
    inflater: &mut Option<Decompress>,
) -> Result<HeaderFrame, Error> {
    let fixed = frame
        .first_chunk::<FIXED>()
        .ok_or_else(|| invalid("THeader: the frame is shorter than its fixed header"))?;
    let words = usize::from(u16::from_be_bytes([fixed[8], fixed[9]]));
    let end = FIXED + words * 4;
    if end > frame.len() {
        return Err(invalid(format!(
            "THeader: a header section of {} bytes in a frame of {}",
            words * 4,
            frame.len()
        )));
    }
    let mut section = Section {
        data: frame.slice(FIXED..end),
        pos: 0,
    };
    let protocol = match section.varint()? {
        0 => Protocol::Binary,
        1 => Protocol::Json,
        2 => Protocol::Compact,
        other => return Err(invalid(format!("THeader: unknown protocol id {other}"))),
    };
    let transforms = section.varint()?;
    let mut zlib = 0;
    for _ in 0..transforms {
        match section.varint()? {
            ZLIB => zlib += 1,
            other => return Err(invalid(format!("THeader: unknown transform id {other}"))),
        }
    }
    let mut headers = Headers::new();
    while !section.at_end() {
        if section.varint()? != KEY_VALUE {
            // Apache skips the rest of the section at a type it does not know, as does this.
            break;
        }
        let count = section.varint()? as usize;
        if headers.len() + count > MAX_HEADERS {
            return Err(invalid(format!("THeader: more than {MAX_HEADERS} headers")));
        }
        for _ in 0..count {
            let key = section.string()?;
            headers.insert(key, section.string()?);
        }
    }
    let mut payload = frame.slice(end..);
    for _ in 0..zlib {
        let decompress = inflater.get_or_insert_with(|| Decompress::new(true));
        payload = inflate(decompress, &payload, max_frame)?;
    }
    Ok(HeaderFrame {
        payload,
        protocol,
        headers,
    })
}

/// Decompresses one zlib stream, refusing to produce more than `max` bytes (memory grows
/// with what comes out, never past `max` and a little).
fn inflate(decompress: &mut Decompress, data: &[u8], max: usize) -> Result<Bytes, Error> {
    // Making a decompressor costs more than decompressing a small message: one is reused.
    decompress.reset(true);
    let mut out = Vec::new();
    loop {
        let want = (out.len() * 2).clamp(4096, max.saturating_add(1));
        out.reserve_exact(want.saturating_sub(out.len()));
        let (read, written) = (decompress.total_in(), out.len());
        let input = &data[usize::try_from(read).unwrap_or(data.len()).min(data.len())..];
        let status = decompress
            .decompress_vec(input, &mut out, FlushDecompress::None)
            .map_err(|e| invalid(format!("THeader: zlib: {e}")))?;
        if status == Status::StreamEnd {
            return Ok(out.into());
        }
        if out.len() > max {
            return Err(Error::FrameTooLarge {
                len: out.len(),
                max,
            });
        }
        if out.len() == written && decompress.total_in() == read {
            return Err(invalid("THeader: the zlib payload ends too soon"));
        }
    }
}

/// Appends a header frame: its length word, the fixed header, the header section, then
/// `payload` (compressed with `zlib`'s compressor, which is reset after, when given).
pub(crate) fn write(
    out: &mut BytesMut,
    payload: &[u8],
    protocol: Protocol,
    seqid: i32,
    headers: &Headers,
    zlib: Option<&mut Compress>,
) {
    let mut section = BytesMut::with_capacity(16);
    put_varint(&mut section, protocol_id(protocol));
    put_varint(&mut section, u32::from(zlib.is_some()));
    if zlib.is_some() {
        put_varint(&mut section, ZLIB);
    }
    if !headers.is_empty() {
        put_varint(&mut section, KEY_VALUE);
        put_varint(&mut section, len32(headers.len()));
        for (key, value) in headers.iter() {
            put_varint(&mut section, len32(key.len()));
            section.put_slice(key);
            put_varint(&mut section, len32(value.len()));
            section.put_slice(value);
        }
    }
    section.resize(section.len().next_multiple_of(4), 0);
    let deflated;
    let payload = match zlib {
        Some(compress) => {
            deflated = deflate(compress, payload);
            &deflated[..]
        }
        None => payload,
    };
    out.reserve(4 + FIXED + section.len() + payload.len());
    out.put_u32(len32(FIXED + section.len() + payload.len()));
    out.put_u16(MAGIC);
    out.put_u16(0);
    out.put_i32(seqid);
    out.put_u16(u16::try_from(section.len() / 4).unwrap_or(u16::MAX));
    out.put_slice(&section);
    out.put_slice(payload);
}

/// A compressor for the zlib transform, at the level of Python's `zlib.compress`.
pub(crate) fn compressor() -> Compress {
    Compress::new(Compression::default(), true)
}

/// A whole zlib stream of `data`, as Python's `zlib.compress` makes; `compress` is reset
/// after (making a compressor costs more than compressing a small message).
fn deflate(compress: &mut Compress, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 64 + 64);
    loop {
        let read = usize::try_from(compress.total_in())
            .unwrap_or(data.len())
            .min(data.len());
        match compress.compress_vec(&data[read..], &mut out, FlushCompress::Finish) {
            // Compressing fails only on a bad level or a stream used after it ended.
            Ok(Status::StreamEnd) | Err(_) => {
                compress.reset();
                return out;
            }
            Ok(_) => out.reserve(out.capacity().max(64)),
        }
    }
}

/// The protocol ids of Apache's C++ (its Python knows 0 and 2 only).
fn protocol_id(protocol: Protocol) -> u32 {
    match protocol {
        Protocol::Binary => 0,
        Protocol::Json => 1,
        Protocol::Compact => 2,
    }
}

fn len32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

#[allow(clippy::cast_possible_truncation)] // seven bits at a time
fn put_varint(out: &mut BytesMut, mut value: u32) {
    while value >= 0x80 {
        out.put_u8((value & 0x7f) as u8 | 0x80);
        value >>= 7;
    }
    out.put_u8(value as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header frame (after its length word) with `section` as its header section, padded,
    /// then `payload`.
    fn frame(section: &[u8], payload: &[u8]) -> Bytes {
        let mut section = section.to_vec();
        section.resize(section.len().next_multiple_of(4), 0);
        let mut out = vec![0x0f, 0xff, 0, 0, 0, 0, 0, 1];
        out.extend(u16::try_from(section.len() / 4).unwrap().to_be_bytes());
        out.extend(section);
        out.extend(payload);
        out.into()
    }

    fn error(frame: &Bytes) -> String {
        read(frame, 1 << 20, &mut None).unwrap_err().to_string()
    }

    #[test]
    fn what_it_writes_it_reads() {
        let headers: Headers = [("a", "1"), ("b", "")].into_iter().collect();
        for zlib in [false, true] {
            let mut out = BytesMut::new();
            let mut compress = compressor();
            let zlib = zlib.then_some(&mut compress);
            write(&mut out, b"payload", Protocol::Compact, 7, &headers, zlib);
            let read = read(&out.freeze().slice(4..), 1 << 20, &mut None).unwrap();
            assert_eq!(&read.payload[..], b"payload");
            assert_eq!(
                (read.protocol, read.headers.clone()),
                (Protocol::Compact, headers.clone())
            );
        }
    }

    #[test]
    fn malformed_frames_are_errors_that_say_why() {
        // The header section claims 40 words in a frame of a few bytes.
        let mut past = frame(&[0, 0], b"").to_vec();
        past[9] = 40;
        assert!(error(&past.into()).contains("header section of 160 bytes"));
        assert!(error(&Bytes::from_static(&[0x0f, 0xff, 0])).contains("shorter"));
        assert!(error(&frame(&[0, 1, 9], b"")).contains("unknown transform id 9"));
        assert!(error(&frame(&[3, 0], b"")).contains("unknown protocol id 3"));
        // A varint of six bytes, and one of five whose top bits overflow 32.
        let long = [0, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
        assert!(error(&frame(&long, b"")).contains("overflows"));
        let wide = [0, 1, 0xff, 0xff, 0xff, 0xff, 0x1f];
        assert!(error(&frame(&wide, b"")).contains("overflows"));
        // A key claiming more bytes than the section holds.
        assert!(error(&frame(&[0, 0, 1, 1, 100, b'k'], b"")).contains("runs past"));
    }

    #[test]
    fn at_most_a_thousand_headers() {
        let mut section = vec![0, 0, 1];
        let mut count = BytesMut::new();
        put_varint(&mut count, 1_001);
        section.extend(&count);
        section.extend(std::iter::repeat_n([0u8, 0], 1_001).flatten());
        assert!(error(&frame(&section, b"")).contains("more than 1000 headers"));
    }

    #[test]
    fn a_zlib_bomb_stops_at_the_frame_limit() {
        let zeros = deflate(&mut compressor(), &vec![0; 64 << 20]);
        assert!(zeros.len() < 100_000);
        let bomb = frame(&[0, 1, 1], &zeros);
        let refused = read(&bomb, 1 << 20, &mut None).unwrap_err();
        assert!(
            matches!(refused, Error::FrameTooLarge { max: 1_048_576, .. }),
            "{refused}"
        );
        let text = deflate(&mut compressor(), &b"a message ".repeat(1_000));
        let cut = frame(&[0, 1, 1], &text[..text.len() / 2]);
        assert!(error(&cut).contains("ends too soon"));
        assert!(error(&frame(&[0, 1, 1], b"not zlib")).contains("zlib"));
    }
}
