//! Apache Thrift's cross test over `ThriftTest.thrift`: the reference server and the checking
//! client that the `cross-server` and `cross-client` binaries run, here so the tests can run
//! them too.

pub mod checks;
pub mod handler;
pub mod options;

use std::future::Future;
use std::io;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::time::Duration;

use thrift_bidi::{Channel, ClientTls, Multiplexed, Server, ServerHttp, ServerTls};
use tokio::net::{TcpListener, UnixListener};

use crate::generated::default::thrift_test::{
    SecondServiceClient, SecondServiceServer, ThriftTestClient, ThriftTestServer,
};
use checks::Report;
use handler::Handler;
use options::Options;

/// Serves ThriftTest (and, multiplexed, `SecondService`) as `options` say until `shutdown`.
/// Calls `listening` with the address bound (useful with port 0) before it accepts.
pub async fn serve(
    options: &Options,
    listening: impl FnOnce(&str),
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let mut server = Server::builder()
        .transport(options.transport)
        .protocol(options.protocol)
        .zlib(options.zlib);
    if options.ssl {
        let tls = ServerTls::from_pem_files(crate::cert("server.pem"), crate::cert("server.key"))
            .map_err(io::Error::other)?;
        server = server.tls(tls);
    }
    if options.http {
        server = server.http(ServerHttp::new());
    }
    let make = services(options.multiplex);
    match &options.domain_socket {
        // Apache's programs serve HTTP on TCP, whatever --domain-socket says.
        Some(path) if !options.http => {
            remove_stale_socket(path)?;
            let listener = UnixListener::bind(path)?;
            listening(&path.display().to_string());
            server.serve_with(listener, make, shutdown).await;
        }
        _ => {
            let listener = TcpListener::bind((options.host.as_str(), options.port)).await?;
            listening(&listener.local_addr()?.to_string());
            server.serve_with(listener, make, shutdown).await;
        }
    }
    Ok(())
}

/// What each connection serves: ThriftTest, and (multiplexed) `SecondService` too.
fn services(multiplex: bool) -> impl Fn(&thrift_bidi::Connection) -> Multiplexed {
    move |_| {
        let plain = ThriftTestServer::new(Handler);
        // Multiplexed servers answer plain clients too, as ThriftTest.
        let service = Multiplexed::new().with_default(plain.clone());
        if multiplex {
            service
                .with("ThriftTest", plain)
                .with("SecondService", SecondServiceServer::new(Handler))
        } else {
            service
        }
    }
}

/// The client's TLS with `--ssl`: it trusts the test CA and presents the test client
/// certificate (Apache's Python test server asks for one).
fn client_tls() -> Result<ClientTls, thrift_bidi::TlsError> {
    ClientTls::ca_file(crate::cert("ca.pem"))?
        .client_certificate(crate::cert("client.pem"), crate::cert("client.key"))
}

/// A socket file left by an earlier server would make `bind` fail; other files are kept.
fn remove_stale_socket(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => std::fs::remove_file(path),
        _ => Ok(()),
    }
}

/// Connects as `options` say and runs the checks `options.loops` times.
pub async fn run_client(options: &Options) -> Report {
    let mut builder = Channel::builder()
        .transport(options.transport)
        .protocol(options.protocol)
        .zlib(options.zlib)
        .connect_timeout(Duration::from_secs(5))
        .call_timeout(Duration::from_secs(10));
    if options.ssl {
        match client_tls() {
            Ok(tls) => builder = builder.tls(tls),
            Err(e) => {
                return Report {
                    code: checks::UNKNOWN,
                    failures: vec![format!("TLS: {e}")],
                }
            }
        }
    }
    let channel = match &options.domain_socket {
        _ if options.http => {
            let scheme = if options.ssl { "https" } else { "http" };
            builder.connect_http(&format!("{scheme}://{}:{}/", options.host, options.port))
        }
        Some(path) => builder.connect_unix(path).await,
        None => builder.connect((options.host.as_str(), options.port)).await,
    };
    let channel = match channel {
        Ok(channel) => channel,
        Err(e) => {
            return Report {
                code: checks::UNKNOWN,
                failures: vec![format!("cannot connect: {e}")],
            }
        }
    };
    let (client, second) = if options.multiplex {
        let second = SecondServiceClient::new(channel.multiplexed("SecondService"));
        (
            ThriftTestClient::new(channel.multiplexed("ThriftTest")),
            Some(second),
        )
    } else {
        (ThriftTestClient::new(channel), None)
    };
    let mut report = Report::default();
    for _ in 0..options.loops {
        let run = checks::run(&client, second.as_ref()).await;
        report.code |= run.code;
        report.failures.extend(run.failures);
    }
    report
}
