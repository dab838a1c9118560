//! In-memory pipes (`tokio::io::duplex`): a connection within one process, such as the one an
//! HTTP channel's core runs over, or a test's.

use tokio::io::{DuplexStream, ReadHalf, WriteHalf};

use super::Stream;

impl Stream for DuplexStream {
    type Read = ReadHalf<DuplexStream>;
    type Write = WriteHalf<DuplexStream>;

    fn split(self) -> (Self::Read, Self::Write) {
        tokio::io::split(self)
    }
}
