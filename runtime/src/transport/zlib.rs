//! Apache's `TZlibTransport`: the whole byte stream compressed with zlib (RFC 1950), each
//! write ended with a sync flush so the peer can decompress all that was sent. It sits between
//! the byte stream and the framing: [`Inflate`] is a read half that decompresses, [`Deflate`]
//! a write half that compresses, each passing bytes through unchanged when zlib is off.
//!
//! A zlib bomb costs no more than the framing above allows: decompression produces at most
//! what the reader asked for, and the reader asks for no more than the message it is reading
//! needs, which `max_frame` bounds. The compressed bytes waiting to be decompressed are
//! bounded too ([`MAX_PENDING`]).

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Buf, BytesMut};
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The most compressed bytes held while decompression makes no progress on them.
const MAX_PENDING: usize = 64 << 10;

/// How many compressed bytes are read at a time.
const READ: usize = 8 << 10;

/// A read half that decompresses a zlib stream (or passes bytes through).
pub(crate) struct Inflate<R> {
    inner: R,
    zlib: Option<Box<Inflating>>,
}

struct Inflating {
    decompress: Decompress,
    /// Compressed bytes read and not yet decompressed.
    input: BytesMut,
    /// The stream has ended (its end marker, or the peer closed).
    ended: bool,
    /// The last decompression filled the space it had: more may come without more input.
    full: bool,
}

impl<R> Inflate<R> {
    pub(crate) fn new(inner: R, zlib: bool) -> Self {
        let zlib = zlib.then(|| {
            Box::new(Inflating {
                decompress: Decompress::new(true),
                input: BytesMut::new(),
                ended: false,
                full: false,
            })
        });
        Self { inner, zlib }
    }
}

impl Inflating {
    /// Decompresses what it can into `buf`: whether it consumed or produced anything.
    fn inflate(&mut self, buf: &mut ReadBuf<'_>) -> io::Result<(bool, bool)> {
        let room = buf.remaining();
        let (before_in, before_out) = (self.decompress.total_in(), self.decompress.total_out());
        let status = self
            .decompress
            .decompress(
                &self.input,
                buf.initialize_unfilled(),
                FlushDecompress::Sync,
            )
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("zlib: {e}")))?;
        let consumed = usize::try_from(self.decompress.total_in() - before_in).unwrap_or(0);
        let produced = usize::try_from(self.decompress.total_out() - before_out).unwrap_or(0);
        self.input.advance(consumed);
        buf.advance(produced);
        self.ended |= status == Status::StreamEnd;
        self.full = produced == room;
        Ok((consumed > 0, produced > 0))
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for Inflate<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let Some(zlib) = &mut this.zlib else {
            return Pin::new(&mut this.inner).poll_read(cx, buf);
        };
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        loop {
            if !zlib.input.is_empty() || zlib.full {
                match zlib.inflate(buf)? {
                    (_, true) => return Poll::Ready(Ok(())),
                    // Headers and empty blocks: go on with what is left before reading more.
                    (true, false) => continue,
                    (false, false) => {}
                }
            }
            if zlib.ended {
                // What follows the stream's end marker is not zlib; the stream is over.
                return Poll::Ready(Ok(()));
            }
            if zlib.input.len() >= MAX_PENDING {
                let message = "zlib: compressed bytes that decompress to nothing";
                return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, message)));
            }
            let before = zlib.input.len();
            zlib.input.resize(before + READ, 0);
            let mut read = ReadBuf::new(&mut zlib.input[before..]);
            let polled = Pin::new(&mut this.inner).poll_read(cx, &mut read);
            let filled = read.filled().len();
            zlib.input.truncate(before + filled);
            ready!(polled)?;
            if filled == 0 {
                zlib.ended = true;
                if !zlib.input.is_empty() {
                    let message = "zlib: the stream ended inside a compressed block";
                    return Poll::Ready(Err(io::Error::new(io::ErrorKind::UnexpectedEof, message)));
                }
            }
        }
    }
}

/// A write half that compresses into a zlib stream (or passes bytes through). A flush ends
/// what was written with a sync flush, then writes it all out.
pub(crate) struct Deflate<W> {
    inner: W,
    zlib: Option<Box<Deflating>>,
}

struct Deflating {
    compress: Compress,
    /// Compressed bytes not yet written.
    output: BytesMut,
    /// Bytes were compressed since the last sync flush.
    unsynced: bool,
}

impl<W> Deflate<W> {
    pub(crate) fn new(inner: W, zlib: bool) -> Self {
        let zlib = zlib.then(|| {
            Box::new(Deflating {
                compress: Compress::new(Compression::default(), true),
                output: BytesMut::new(),
                unsynced: false,
            })
        });
        Self { inner, zlib }
    }
}

impl Deflating {
    /// Compresses all of `input` into the output (with `flush`).
    fn deflate(&mut self, mut input: &[u8], flush: FlushCompress) -> io::Result<()> {
        loop {
            let len = self.output.len();
            // Deflate never grows data by more than a few bytes per 16 KiB block.
            let room = input.len() + input.len() / 64 + 64;
            self.output.resize(len + room, 0);
            let before_in = self.compress.total_in();
            let before_out = self.compress.total_out();
            let status = self
                .compress
                .compress(input, &mut self.output[len..], flush);
            let consumed = usize::try_from(self.compress.total_in() - before_in).unwrap_or(0);
            let produced = usize::try_from(self.compress.total_out() - before_out).unwrap_or(0);
            self.output.truncate(len + produced);
            input = &input[consumed..];
            status.map_err(|e| io::Error::other(format!("zlib: {e}")))?;
            // Done once the input is in and the flush had room to finish.
            if input.is_empty() && produced < room {
                return Ok(());
            }
        }
    }

    /// Writes out the compressed bytes.
    fn drain<W: AsyncWrite + Unpin>(
        &mut self,
        inner: &mut W,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        while !self.output.is_empty() {
            let written = ready!(Pin::new(&mut *inner).poll_write(cx, &self.output))?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.output.advance(written);
        }
        Poll::Ready(Ok(()))
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Deflate<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let Some(zlib) = &mut this.zlib else {
            return Pin::new(&mut this.inner).poll_write(cx, data);
        };
        ready!(zlib.drain(&mut this.inner, cx))?;
        zlib.deflate(data, FlushCompress::None)?;
        zlib.unsynced = true;
        Poll::Ready(Ok(data.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(zlib) = &mut this.zlib {
            if std::mem::take(&mut zlib.unsynced) {
                zlib.deflate(&[], FlushCompress::Sync)?;
            }
            ready!(zlib.drain(&mut this.inner, cx))?;
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.as_mut().poll_flush(cx))?;
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// Some text that compresses, and some that does not.
    fn sample() -> Vec<u8> {
        let mut data = b"thrift ".repeat(20_000);
        let mut seed = 7u32;
        data.extend((0..50_000).map(|_| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            seed.to_be_bytes()[0]
        }));
        data
    }

    /// What `Deflate` writes, in `writes` writes each flushed.
    async fn deflated(data: &[u8], writes: usize) -> Vec<u8> {
        let mut deflate = Deflate::new(Vec::new(), true);
        for chunk in data.chunks(data.len().div_ceil(writes)) {
            deflate.write_all(chunk).await.unwrap();
            deflate.flush().await.unwrap();
        }
        deflate.inner
    }

    /// Reads `stream` through `Inflate`, handed over `piece` bytes at a time.
    async fn inflated(stream: &[u8], piece: usize) -> io::Result<Vec<u8>> {
        let (mut near, far) = tokio::io::duplex(piece);
        let stream = stream.to_vec();
        let feeding = tokio::spawn(async move {
            for chunk in stream.chunks(piece) {
                // The reader stops at an error; then nobody is reading.
                if near.write_all(chunk).await.is_err() {
                    return;
                }
            }
        });
        let mut out = Vec::new();
        let read = Inflate::new(far, true).read_to_end(&mut out).await;
        feeding.await.unwrap();
        read.map(|_| out)
    }

    #[tokio::test]
    async fn what_deflate_writes_inflates_back_however_it_is_split() {
        let data = sample();
        for writes in [1, 7] {
            let stream = deflated(&data, writes).await;
            assert!(stream.len() < data.len() * 2 / 3, "it compresses");
            for piece in [1, 100, 1 << 16] {
                let out = inflated(&stream, piece).await.unwrap();
                assert!(out == data, "{writes} writes, read {piece} at a time");
            }
        }
    }

    #[tokio::test]
    async fn each_flush_makes_all_written_so_far_readable() {
        let mut deflate = Deflate::new(Vec::new(), true);
        deflate.write_all(b"first message").await.unwrap();
        deflate.flush().await.unwrap();
        let mut decompress = Decompress::new(true);
        let mut out = Vec::with_capacity(64);
        decompress
            .decompress_vec(&deflate.inner, &mut out, FlushDecompress::Sync)
            .unwrap();
        assert_eq!(out, b"first message");
    }

    /// A stream cut short reads as what came before the cut: Apache's streams never end, so
    /// the end of the byte stream is theirs, and the framing above finds a message cut short.
    /// A garbled one is an error.
    #[tokio::test]
    async fn cut_streams_end_and_garbled_ones_are_errors() {
        let data = sample();
        let stream = deflated(&data, 1).await;
        let cut = inflated(&stream[..stream.len() / 2], 1000).await.unwrap();
        assert!(cut.len() < data.len() && data.starts_with(&cut), "a prefix");
        let mut garbled = stream.clone();
        garbled[0] = 0x12;
        let bad = inflated(&garbled, 1000).await.map(|out| out.len());
        assert_eq!(bad.map_err(|e| e.kind()), Err(io::ErrorKind::InvalidData));
    }

    #[tokio::test]
    async fn off_passes_bytes_through() {
        let mut deflate = Deflate::new(Vec::new(), false);
        deflate.write_all(b"plain").await.unwrap();
        deflate.flush().await.unwrap();
        assert_eq!(deflate.inner, b"plain");
        let mut out = Vec::new();
        Inflate::new(&b"plain"[..], false)
            .read_to_end(&mut out)
            .await
            .unwrap();
        assert_eq!(out, b"plain");
    }
}
