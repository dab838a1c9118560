//! The writer task: takes queued messages off the connection's queue and writes them in
//! batches, one write call per batch, taking their bytes off the backlog once written.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWrite;
use tokio::sync::mpsc;

use super::Shared;
use crate::message::Outgoing;
use crate::transport::MessageWriter;

pub(crate) async fn write_loop<W: AsyncWrite + Unpin>(
    shared: Arc<Shared>,
    mut queue: mpsc::Receiver<Outgoing>,
    mut writer: MessageWriter<W>,
    write_timeout: Duration,
) {
    const BATCH: usize = 64 << 10;
    loop {
        let first = tokio::select! {
            message = queue.recv() => message,
            () = shared.closed() => None,
        };
        let Some(first) = first else { break };
        let mut bytes = first.len();
        writer.push(first);
        while writer.pending() < BATCH {
            match queue.try_recv() {
                Ok(message) => {
                    bytes += message.len();
                    writer.push(message);
                }
                Err(_) => break,
            }
        }
        match tokio::time::timeout(write_timeout, writer.flush()).await {
            Ok(Ok(())) => shared.backlog.written(bytes),
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "write failed; closing the connection");
                break;
            }
            Err(_) => {
                tracing::debug!("peer is not reading; closing the connection");
                break;
            }
        }
    }
    shared.close();
    // Whatever was queued before the close still goes out (replies of a graceful stop).
    while let Ok(message) = queue.try_recv() {
        writer.push(message);
    }
    if writer.pending() > 0 {
        let _ = tokio::time::timeout(write_timeout, writer.flush()).await;
    }
    writer.shutdown().await;
}
