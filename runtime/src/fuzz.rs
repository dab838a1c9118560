//! Entry points for the fuzz targets (`fuzz/`) and the tests that replay their corpora: the
//! message readers of every transport, over a byte stream that delivers its input in pieces;
//! and (feature `http`) an HTTP server connection fed a byte stream in pieces.
//! Not a public API: it changes whenever the readers do.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use tokio::io::{AsyncRead, ReadBuf};

use crate::protocol::{Limits, Protocol};
use crate::transport::{Codec, MessageReader, Transport};

/// The largest message the fuzzed readers take (small, so that the limit is reached).
pub const MAX_FRAME: usize = 64 << 10;

/// Reads `data` as a stream of messages in `transport` and `protocol` (compressed with zlib
/// when `zlib`), the stream handing out at most `pieces[i % len]` bytes at its `i`th read
/// (everything at once if `pieces` is empty): each message, then the error that ended the
/// stream, if one did.
pub fn read_messages(
    transport: Transport,
    protocol: Protocol,
    zlib: bool,
    data: &[u8],
    pieces: &[usize],
) -> (Vec<Bytes>, Option<String>) {
    let codec = Codec {
        transport,
        protocol,
        zlib,
        header_zlib: false,
        max_frame: MAX_FRAME,
        limits: Limits::default(),
    };
    let stream = Pieces {
        data,
        sizes: pieces,
        reads: 0,
    };
    let mut reader = MessageReader::new(stream, codec, Duration::from_secs(60));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime without I/O can be built");
    runtime.block_on(async {
        let mut messages = Vec::new();
        loop {
            match reader.next().await {
                Ok(Some(frame)) => messages.push(frame.bytes),
                Ok(None) => return (messages, None),
                Err(e) => return (messages, Some(e.to_string())),
            }
        }
    })
}

/// A byte stream that hands out its data in pieces.
struct Pieces<'a> {
    data: &'a [u8],
    /// The most each read hands out, in turn.
    sizes: &'a [usize],
    reads: usize,
}

impl AsyncRead for Pieces<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let piece = match self.sizes {
            [] => usize::MAX,
            sizes => sizes[self.reads % sizes.len()].max(1),
        };
        let len = piece.min(buf.remaining()).min(self.data.len());
        let (now, rest) = self.data.split_at(len);
        buf.put_slice(now);
        self.data = rest;
        self.reads += 1;
        Poll::Ready(Ok(()))
    }
}

/// Sends `data` to an HTTP server connection (serving nothing: every call is an unknown
/// method) over an in-memory pipe, in writes of at most `pieces[i % len]` bytes, then closes
/// the writing side; everything the server wrote until it closed (`None` if it did not within
/// ten seconds).
#[cfg(feature = "http")]
pub fn http_exchange(data: &[u8], pieces: &[usize]) -> Option<Vec<u8>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use crate::connection::{Settings, Shared};

    let settings = Settings {
        codec: Codec {
            max_frame: MAX_FRAME,
            ..Codec::default()
        },
        ..Settings::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime without I/O can be built");
    runtime.block_on(async {
        let (client, server) = tokio::io::duplex(MAX_FRAME);
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        let http = crate::ServerHttp::new();
        let shared = Shared::detached(&settings, std::sync::Arc::default());
        let serving = crate::transport::http::serve(
            server,
            crate::NoService,
            settings,
            http,
            stopped,
            shared,
        );
        let serving = tokio::spawn(serving);
        let (mut read, mut write) = tokio::io::split(client);
        let sending = async move {
            let mut rest = data;
            for i in 0.. {
                if rest.is_empty() {
                    break;
                }
                let size = pieces
                    .get(i % pieces.len().max(1))
                    .copied()
                    .unwrap_or(usize::MAX);
                let (now, later) = rest.split_at(size.clamp(1, rest.len()));
                if write.write_all(now).await.is_err() {
                    break;
                }
                rest = later;
            }
            let _ = write.shutdown().await;
        };
        let receiving = async move {
            let mut out = Vec::new();
            let _ = read.read_to_end(&mut out).await;
            out
        };
        let exchange = async { tokio::join!(sending, receiving, serving).1 };
        tokio::time::timeout(Duration::from_secs(10), exchange)
            .await
            .ok()
    })
}
