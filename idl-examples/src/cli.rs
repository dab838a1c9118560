//! The command lines of the example programs: `--name value` options, and their logs.

use std::process::ExitCode;

use thrift_bidi::protocol::Protocol;
use thrift_bidi::{Connection, Server, Service, Transport};
use tokio::net::TcpListener;

/// Logs the runtime's events (why a connection was refused or closed) to stderr, filtered by
/// `RUST_LOG`, `info` when it is unset. The example programs and the cross-test binaries
/// (`tests/src/bin`) call it first.
pub fn log_to_stderr() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only on a terminal (logs piped to a file stay plain text).
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    // `SPANS=1`: a line as each call's span closes (`thrift.call`: direction, method, seqid,
    // peer, trace id, and the time it took).
    let spans = if std::env::var_os("SPANS").is_some_and(|v| v == "1") {
        tracing_subscriber::fmt::format::FmtSpan::CLOSE
    } else {
        tracing_subscriber::fmt::format::FmtSpan::NONE
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(spans)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .init();
}

/// The value after `--name` (or in `--name=value`) among `args`.
pub fn option(args: &[String], name: &str) -> Option<String> {
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == name {
            return args.next().cloned();
        }
        if let Some(value) = arg
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix('='))
        {
            return Some(value.to_owned());
        }
    }
    None
}

/// The command line of `program`: its arguments, and the `--host` (default 127.0.0.1) and
/// `--port` it names; on a mistake, the message to print (with `usage`).
pub fn endpoint(program: &str, usage: &str) -> Result<(Vec<String>, String, u16), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port = port(&args).map_err(|message| format!("{program}: {message}\nusage: {usage}"))?;
    let host = option(&args, "--host").unwrap_or_else(|| "127.0.0.1".to_owned());
    Ok((args, host, port))
}

/// `--port`, which both programs need.
pub fn port(args: &[String]) -> Result<u16, String> {
    let port = option(args, "--port").ok_or("--port N is needed")?;
    port.parse()
        .map_err(|_| format!("--port {port}: not a port number"))
}

/// Whether `name` (a flag without a value) is among `args`.
pub fn flag(args: &[String], name: &str) -> bool {
    args.iter().any(|arg| arg == name)
}

/// The transport and protocol that `--transport framed|buffered` and `--protocol
/// binary|compact` name (framed binary when not given).
pub fn codec(args: &[String]) -> Result<(Transport, Protocol), String> {
    let transport = match option(args, "--transport").as_deref() {
        None | Some("framed") => Transport::Framed,
        Some("buffered") => Transport::Buffered,
        Some(other) => return Err(format!("--transport {other}: framed or buffered")),
    };
    let protocol = match option(args, "--protocol").as_deref() {
        None | Some("binary") => Protocol::Binary,
        Some("compact") => Protocol::Compact,
        Some(other) => return Err(format!("--protocol {other}: binary or compact")),
    };
    Ok((transport, protocol))
}

/// A server program's start: its arguments, a listener on the `--host` and `--port` they
/// name (port 0: any free one), and `server` set to their `--transport` and `--protocol` (and
/// TLS with `--tls-cert PEM --tls-key PEM`).
/// Prints `PROGRAM: listening on ADDR`, which the tests starting it wait for; on a mistake,
/// the message to print.
pub async fn listen(
    program: &str,
    usage: &str,
    server: Server,
) -> Result<(Vec<String>, TcpListener, Server), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mistake = |message: String| format!("{program}: {message}\nusage: {usage}");
    let port = match option(&args, "--port") {
        Some(_) => port(&args).map_err(mistake)?,
        None => 0,
    };
    let host = option(&args, "--host").unwrap_or_else(|| "127.0.0.1".to_owned());
    let (transport, protocol) = codec(&args).map_err(mistake)?;
    let listener = TcpListener::bind((host.as_str(), port))
        .await
        .map_err(|e| format!("{program}: cannot listen on {host}:{port}: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("{program}: {e}"))?;
    let mut server = server.transport(transport).protocol(protocol);
    if let Some(cert) = option(&args, "--tls-cert") {
        let key = option(&args, "--tls-key")
            .ok_or_else(|| mistake("--tls-cert needs --tls-key".into()))?;
        let tls = thrift_bidi::ServerTls::from_pem_files(&cert, &key)
            .map_err(|e| format!("{program}: {cert}, {key}: {e}"))?;
        server = server.tls(tls);
    }
    println!("{program}: listening on {addr}");
    Ok((args, listener, server))
}

/// [`listen`] with the server builder's defaults, printing a mistake and giving the exit code
/// (2) to end with.
pub async fn start(
    program: &str,
    usage: &str,
) -> Result<(Vec<String>, TcpListener, Server), ExitCode> {
    listen(program, usage, Server::builder())
        .await
        .map_err(|message| {
            eprintln!("{message}");
            ExitCode::from(2)
        })
}

/// Serves the connections `listener` accepts with what `make` gives each, until interrupted
/// (Ctrl-C): the rest of a server program's `main`.
pub async fn serve_until_interrupted<S: Service>(
    server: Server,
    listener: TcpListener,
    make: impl Fn(&Connection) -> S,
) -> ExitCode {
    server.serve_with(listener, make, stopping()).await;
    ExitCode::SUCCESS
}

/// Resolves when the process is asked to stop: SIGINT (Ctrl-C) or SIGTERM.
pub async fn stopping() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    let terminated = async {
        match &mut terminate {
            Ok(signal) => drop(signal.recv().await),
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminated => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings() {
        let args: Vec<String> = ["--port", "9", "--name=ann"].map(String::from).to_vec();
        assert_eq!(port(&args), Ok(9));
        assert_eq!(option(&args, "--name").as_deref(), Some("ann"));
        assert_eq!(option(&args, "--host"), None);
        let bad: Vec<String> = ["--port", "x"].map(String::from).to_vec();
        assert!(port(&bad).is_err());
    }
}
