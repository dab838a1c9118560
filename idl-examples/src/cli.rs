//! The command lines of the example programs: `--name value` options, and their logs.

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
