//! TLS handshakes of accepted connections, each on its own task within the handshake timeout,
//! so that a slow or silent client holds up no other. The accept loop hands each accepted
//! connection here (with its slot and its peer's count) and takes it back once it is
//! encrypted; a connection whose handshake fails or times out is dropped, with a `debug` log.
//!
//! Without the `tls` feature, or without TLS configured, connections pass straight through.

use std::net::IpAddr;

use tokio::sync::OwnedSemaphorePermit;

/// What a connection holds from being accepted: its slot, and the peer it counts against.
pub(super) struct Admitted {
    pub(super) slot: OwnedSemaphorePermit,
    pub(super) peer: Option<IpAddr>,
}

#[cfg(feature = "tls")]
mod enabled {
    use std::time::Duration;

    use tokio::task::JoinSet;

    use super::Admitted;
    use crate::io::tls::{ServerTls, TlsStream};
    use crate::io::Stream;

    /// Connections in their handshake.
    pub(in crate::server) struct Handshakes<S> {
        tls: Option<(ServerTls, Duration)>,
        running: JoinSet<(std::io::Result<TlsStream<S>>, Admitted)>,
    }

    /// Where an accepted connection goes next.
    pub(in crate::server) enum Next<S> {
        /// No TLS: serve it as it is.
        Serve(S, Admitted),
        /// Handshaking.
        Handshaking,
    }

    impl<S: Stream> Handshakes<S> {
        pub(in crate::server) fn new(tls: Option<(ServerTls, Duration)>) -> Self {
            Self {
                tls,
                running: JoinSet::new(),
            }
        }

        /// Starts the handshake of `stream`, or hands it back when there is no TLS.
        pub(in crate::server) fn start(&mut self, stream: S, admitted: Admitted) -> Next<S> {
            let Some((tls, timeout)) = &self.tls else {
                return Next::Serve(stream, admitted);
            };
            let (tls, timeout) = (tls.clone(), *timeout);
            self.running
                .spawn(async move { (tls.handshake(stream, timeout).await, admitted) });
            Next::Handshaking
        }

        /// The next connection through its handshake, or its slot and peer to give back
        /// when it failed; never resolves while none is running.
        pub(in crate::server) async fn next(
            &mut self,
        ) -> Result<(TlsStream<S>, Admitted), Admitted> {
            loop {
                let Some(done) = self.running.join_next().await else {
                    return std::future::pending().await;
                };
                match done {
                    Ok((Ok(stream), admitted)) => return Ok((stream, admitted)),
                    Ok((Err(e), admitted)) => {
                        tracing::debug!(error = %e, peer = ?admitted.peer, "TLS handshake failed");
                        return Err(admitted);
                    }
                    // Handshakes do not panic; a cancelled one took its slot with it.
                    Err(_) => {}
                }
            }
        }
    }
}

#[cfg(not(feature = "tls"))]
mod disabled {
    use super::Admitted;
    use crate::io::Stream;

    /// No connection is ever handshaking.
    pub(in crate::server) struct Handshakes<S>(std::marker::PhantomData<S>);

    /// Where an accepted connection goes next: always straight to be served.
    pub(in crate::server) enum Next<S> {
        Serve(S, Admitted),
    }

    impl<S: Stream> Handshakes<S> {
        pub(in crate::server) fn new(_: Option<std::convert::Infallible>) -> Self {
            Self(std::marker::PhantomData)
        }

        // The same method as the `tls` build's, which uses `self`.
        #[allow(clippy::unused_self)]
        pub(in crate::server) fn start(&mut self, stream: S, admitted: Admitted) -> Next<S> {
            Next::Serve(stream, admitted)
        }

        pub(in crate::server) async fn next(&mut self) -> Result<(S, Admitted), Admitted> {
            std::future::pending().await
        }
    }
}

#[cfg(not(feature = "tls"))]
pub(super) use disabled::{Handshakes, Next};
#[cfg(feature = "tls")]
pub(super) use enabled::{Handshakes, Next};
