//! TLS over TCP, on rustls with the `ring` provider (feature `tls`).
//!
//! [`ClientTls`] and [`ServerTls`] each hold a rustls configuration: made here from PEM files
//! (certificate chains, keys, CA files), or taken as the user built it (for ALPN, minimum
//! versions, certificate reloading, or anything else rustls offers). A channel built with
//! `tls` handshakes after connecting; a server built with `tls` handshakes each connection on
//! its own task, within the handshake timeout, before making its service, which finds the
//! client's certificates on its [`Connection`](crate::Connection)'s [`Peer`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf, ReadHalf, WriteHalf};
pub use tokio_rustls::rustls;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use super::{Peer, Stream};

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A PEM file could not be read, or held nothing usable.
    #[error("{}: {message}", path.display())]
    Pem {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Config(#[from] rustls::Error),
    /// A server name that is neither a DNS name nor an IP address.
    #[error("{0:?} is not a DNS name or an IP address")]
    ServerName(String),
}

fn pem_error(path: &Path, message: impl fmt::Display) -> TlsError {
    TlsError::Pem {
        path: path.to_owned(),
        message: message.to_string(),
    }
}

/// The certificates in a PEM file (at least one).
fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certificates = CertificateDer::pem_file_iter(path)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|e| pem_error(path, e))?;
    if certificates.is_empty() {
        return Err(pem_error(path, "no certificate in the file"));
    }
    Ok(certificates)
}

/// The private key in a PEM file (PKCS#8, PKCS#1 or SEC1).
fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| pem_error(path, e))
}

/// The CAs in a PEM file, as trust roots.
fn roots(path: &Path) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    for certificate in certificates(path)? {
        roots.add(certificate)?;
    }
    Ok(roots)
}

/// rustls on `ring`, which builds with only a C compiler. (rustls would rather have aws-lc-rs,
/// for its post-quantum key exchange; a user who wants it passes a configuration built on it
/// to `from_config`.)
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client's TLS: whom it trusts, what it presents, and the name it checks the server's
/// certificate against (by default, the address it connects to).
#[derive(Clone)]
pub struct ClientTls {
    pub(crate) config: Arc<ClientConfig>,
    pub(crate) server_name: Option<ServerName<'static>>,
}

impl fmt::Debug for ClientTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientTls")
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

impl ClientTls {
    /// The user's own rustls configuration, as it is.
    pub fn from_config(config: Arc<ClientConfig>) -> Self {
        Self {
            config,
            server_name: None,
        }
    }

    /// Trusts the CAs in `roots` (and no others).
    pub fn with_roots(roots: RootCertStore) -> Result<Self, TlsError> {
        let config = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Self::from_config(Arc::new(config)))
    }

    /// Trusts the CAs in the PEM file `path` (and no others).
    pub fn ca_file(path: impl AsRef<Path>) -> Result<Self, TlsError> {
        Self::with_roots(roots(path.as_ref())?)
    }

    /// Trusts Mozilla's CAs, compiled in (feature `tls-webpki-roots`).
    #[cfg(feature = "tls-webpki-roots")]
    pub fn webpki_roots() -> Result<Self, TlsError> {
        let roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        Self::with_roots(roots)
    }

    /// Trusts the platform's CAs (feature `tls-native-roots`); fails when none can be
    /// loaded.
    #[cfg(feature = "tls-native-roots")]
    pub fn native_roots() -> Result<Self, TlsError> {
        let loaded = rustls_native_certs::load_native_certs();
        let mut roots = RootCertStore::empty();
        let (added, _) = roots.add_parsable_certificates(loaded.certs);
        if added == 0 {
            let message = format!("no usable certificates ({} errors)", loaded.errors.len());
            return Err(pem_error(Path::new("the platform's roots"), message));
        }
        Self::with_roots(roots)
    }

    /// Accepts any server certificate, without checking it at all: for tests against
    /// self-signed servers only. The connection is encrypted, but to whoever answers.
    pub fn dangerous_accept_any_server_certificate_for_tests() -> Result<Self, TlsError> {
        let mut config = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_root_certificates(RootCertStore::empty())
            .with_no_client_auth();
        config
            .dangerous()
            .set_certificate_verifier(Arc::new(AcceptAnything(provider())));
        Ok(Self::from_config(Arc::new(config)))
    }

    /// Presents the certificate chain in the PEM file `chain` (its own certificate first),
    /// with the private key in the PEM file `key`, when the server asks (mutual TLS).
    pub fn client_certificate(
        mut self,
        chain: impl AsRef<Path>,
        key: impl AsRef<Path>,
    ) -> Result<Self, TlsError> {
        let certified = rustls::sign::CertifiedKey::from_der(
            certificates(chain.as_ref())?,
            private_key(key.as_ref())?,
            &provider(),
        )?;
        let mut config = (*self.config).clone();
        config.client_auth_cert_resolver = Arc::new(ClientCertificate(Arc::new(certified)));
        self.config = Arc::new(config);
        Ok(self)
    }

    /// The name sent in SNI and checked against the server's certificate: a DNS name or an IP
    /// address. Without it, the IP address connected to is checked (over a Unix socket, a
    /// name is needed).
    pub fn server_name(mut self, name: &str) -> Result<Self, TlsError> {
        let name = ServerName::try_from(name.to_owned())
            .map_err(|_| TlsError::ServerName(name.to_owned()))?;
        self.server_name = Some(name);
        Ok(self)
    }

    /// Handshakes over the stream `dial` connects, within the connect timeout or 10 s (the
    /// handshake's own bound when there is none).
    pub(crate) async fn over<S: Stream>(
        &self,
        dial: impl std::future::Future<Output = std::io::Result<S>>,
    ) -> std::io::Result<TlsStream<S>> {
        let stream = dial.await?;
        tokio::time::timeout(Duration::from_secs(10), self.handshake(stream))
            .await
            .map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::TimedOut, "the TLS handshake timed out")
            })?
    }

    /// Handshakes over `stream` as a client.
    pub(crate) async fn handshake<S: Stream>(&self, stream: S) -> std::io::Result<TlsStream<S>> {
        let name = match (&self.server_name, stream.peer().addr()) {
            (Some(name), _) => name.clone(),
            (None, Some(addr)) => ServerName::IpAddress(addr.ip().into()),
            (None, None) => {
                let message = "TLS over a stream without an address needs a server name";
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    message,
                ));
            }
        };
        let stream = TlsConnector::from(self.config.clone())
            .connect(name, stream)
            .await?;
        Ok(TlsStream(tokio_rustls::TlsStream::Client(stream)))
    }
}

/// A server's TLS: its certificate, and whether it asks clients for theirs.
#[derive(Clone)]
pub struct ServerTls {
    pub(crate) config: Arc<ServerConfig>,
}

impl fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerTls").finish_non_exhaustive()
    }
}

impl ServerTls {
    /// The user's own rustls configuration, as it is.
    pub fn from_config(config: Arc<ServerConfig>) -> Self {
        Self { config }
    }

    /// Presents the certificate chain in the PEM file `chain` (its own certificate first),
    /// with the private key in the PEM file `key`; asks clients for no certificate.
    pub fn from_pem_files(
        chain: impl AsRef<Path>,
        key: impl AsRef<Path>,
    ) -> Result<Self, TlsError> {
        let config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(certificates(chain.as_ref())?, private_key(key.as_ref())?)?;
        Ok(Self::from_config(Arc::new(config)))
    }

    /// Like [`ServerTls::from_pem_files`], and requires each client to present a certificate
    /// signed by a CA in the PEM file `client_cas` (mutual TLS).
    pub fn with_client_auth(
        chain: impl AsRef<Path>,
        key: impl AsRef<Path>,
        client_cas: impl AsRef<Path>,
    ) -> Result<Self, TlsError> {
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots(client_cas.as_ref())?),
            provider(),
        )
        .build()
        .map_err(|e| pem_error(client_cas.as_ref(), e))?;
        let config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_client_cert_verifier(verifier)
            .with_single_cert(certificates(chain.as_ref())?, private_key(key.as_ref())?)?;
        Ok(Self::from_config(Arc::new(config)))
    }

    /// Handshakes over `stream` as a server, within `timeout`.
    pub(crate) async fn handshake<S: Stream>(
        &self,
        stream: S,
        timeout: Duration,
    ) -> std::io::Result<TlsStream<S>> {
        let accept = TlsAcceptor::from(self.config.clone()).accept(stream);
        let stream = tokio::time::timeout(timeout, accept).await.map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::TimedOut, "the TLS handshake timed out")
        })??;
        Ok(TlsStream(tokio_rustls::TlsStream::Server(stream)))
    }
}

/// A TLS connection, either side.
pub struct TlsStream<S>(tokio_rustls::TlsStream<S>);

impl<S: Stream> Stream for TlsStream<S> {
    type Read = ReadHalf<Self>;
    type Write = WriteHalf<Self>;
    fn split(self) -> (Self::Read, Self::Write) {
        tokio::io::split(self)
    }
    fn peer(&self) -> Peer {
        let (stream, session) = self.0.get_ref();
        let chain = session.peer_certificates();
        Peer {
            certificates: chain.map(|chain| chain.iter().map(|c| c.clone().into_owned()).collect()),
            ..stream.peer()
        }
    }
}

impl<S: Stream> AsyncRead for TlsStream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl<S: Stream> AsyncWrite for TlsStream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

/// Presents one certificate whenever asked.
#[derive(Debug)]
struct ClientCertificate(Arc<rustls::sign::CertifiedKey>);

impl rustls::client::ResolvesClientCert for ClientCertificate {
    fn resolve(
        &self,
        _: &[&[u8]],
        _: &[SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }
    fn has_certs(&self) -> bool {
        true
    }
}

/// Takes any certificate; checks only that the handshake's signatures are the peer's.
#[derive(Debug)]
struct AcceptAnything(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAnything {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.0.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.0.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
