//! The writer task: takes queued messages off the connection's queue and writes them in
//! batches, one write call per batch, taking their bytes off the backlog once written.
//!
//! A write that fails or takes longer than the write timeout closes the connection, and
//! nothing more is written: part of the batch may already be on the wire, so writing again
//! (even the rest of it) could hand the peer a frame it cannot tell from a corrupted one. A
//! connection aborted (its peer broke a limit or the protocol) gives up a write under way, so
//! that its socket closes at once even when the peer is not reading.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWrite;
use tokio::sync::mpsc;

use super::{Parcel, Shared};
use crate::transport::MessageWriter;

pub(crate) async fn write_loop<W: AsyncWrite + Unpin>(
    shared: Arc<Shared>,
    mut queue: mpsc::UnboundedReceiver<Parcel>,
    mut writer: MessageWriter<W>,
    write_timeout: Duration,
) {
    const BATCH: usize = 64 << 10;
    let failed = loop {
        let first = tokio::select! {
            message = queue.recv() => message,
            () = shared.closed() => None,
        };
        let Some(mut parcel) = first else { break false };
        let (mut bytes, mut urgent) = (0, 0);
        loop {
            let len = parcel.message.len();
            bytes += len;
            if parcel.urgent {
                urgent += len;
            }
            writer.push(parcel.message);
            if writer.pending() >= BATCH {
                break;
            }
            match queue.try_recv() {
                Ok(next) => parcel = next,
                Err(_) => break,
            }
        }
        let written = tokio::select! {
            written = tokio::time::timeout(write_timeout, writer.flush()) => written,
            () = shared.aborted() => break true,
        };
        match written {
            Ok(Ok(())) => shared.backlog.written(bytes, urgent),
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "write failed; closing the connection");
                break true;
            }
            Err(_) => {
                tracing::warn!(
                    timeout = ?write_timeout,
                    "the peer took longer than the write timeout to take a write; closing the connection"
                );
                break true;
            }
        }
    };
    shared.close();
    if failed {
        return;
    }
    // Whatever was queued before the close still goes out (replies of a graceful stop).
    while let Ok(parcel) = queue.try_recv() {
        writer.push(parcel.message);
    }
    if writer.pending() > 0
        && tokio::time::timeout(write_timeout, writer.flush())
            .await
            .is_err()
    {
        tracing::warn!("the peer did not take the last replies within the write timeout");
    }
    writer.shutdown().await;
}
