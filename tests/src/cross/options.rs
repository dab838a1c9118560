//! The command line of Apache Thrift's cross-test binaries (`test/README.md` in Apache's tree),
//! shared by `cross-server` and `cross-client`.

use std::path::PathBuf;

use thrift_bidi::protocol::Protocol;
use thrift_bidi::Transport;

/// What `cross-server` or `cross-client` was asked to do.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::struct_excessive_bools)] // one per flag of Apache's command line
pub struct Options {
    /// Host to connect to (client) or listen on (server).
    pub host: String,
    /// TCP port; the server takes 0 to mean any free port.
    pub port: u16,
    /// A Unix domain socket instead of host and port.
    pub domain_socket: Option<PathBuf>,
    /// `--transport buffered|framed|zlib|http` (`zlib`: buffered, with `--zlib`; `http`:
    /// unframed, in HTTP bodies), with `--protocol header|multih` made THeader on it.
    pub transport: Transport,
    /// `--transport http`: each call a POST (Apache's `THttpClient` and `THttpServer`).
    pub http: bool,
    /// `--protocol binary|compact|json|header` (`multi`, `multic`, `multij` and `multih`
    /// imply `--multiplex`; `header` is binary inside THeader).
    pub protocol: Protocol,
    /// The multiplexed protocol: `ThriftTest` and `SecondService` on one connection.
    pub multiplex: bool,
    /// `--zlib`: the stream compressed with zlib (Apache's `TZlibTransport`).
    pub zlib: bool,
    /// `--ssl`: TLS with the test PKI (`tests/certs`).
    pub ssl: bool,
    /// `--protocol header|multih`.
    header: bool,
    /// `-n`: how many times the client runs the tests (the server accepts and ignores it).
    pub loops: u32,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            host: "localhost".to_owned(),
            port: 9090,
            domain_socket: None,
            transport: Transport::Buffered,
            http: false,
            protocol: Protocol::Binary,
            multiplex: false,
            zlib: false,
            ssl: false,
            header: false,
            loops: 1,
        }
    }
}

/// The `--help` text.
pub const USAGE: &str = "\
Options (Apache Thrift's cross-test command line):
  -h, --help               this help
  --host ARG               host to connect to or listen on (default localhost)
  --port ARG               port (default 9090; the server takes 0 for any free port)
  --domain-socket ARG      Unix domain socket path, instead of host and port
  --transport ARG          buffered (default), framed, zlib (buffered, with --zlib), or
                           http (each call a POST to http://HOST:PORT/, https with --ssl;
                           over HTTP, --domain-socket is ignored, as Apache's programs do)
  --protocol ARG           binary (default), compact, json, header (binary in THeader, framed
                           as THeader on buffered, and each frame framed again on framed),
                           multi, multic, multij, multih (multiplexed), and Apache's names of
                           its Python accelerations: accel, accelc, multia, multiac
  --multiplex              the multiplexed protocol (ThriftTest and SecondService)
  --zlib                   the stream compressed with zlib (Apache's TZlibTransport)
  --ssl                    TLS: the server presents tests/certs/server.pem; the client trusts
                           tests/certs/ca.pem and presents tests/certs/client.pem
  -n, --testloops ARG      how many times the client runs the tests (default 1)
  --server-type ARG        accepted and ignored (the server is always asynchronous)
  -n, --workers ARG        accepted and ignored by the server";

/// Why the command line was not taken; `Help` is not a failure.
#[derive(Debug, PartialEq)]
pub enum ParseError {
    /// `-h` or `--help`.
    Help,
    /// What was wrong.
    Invalid(String),
}

impl Options {
    /// Reads the arguments (without the program name); `--name value` and `--name=value`.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, ParseError> {
        let mut options = Self::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) if name.starts_with("--") => (name, Some(value.to_owned())),
                _ => (arg.as_str(), None),
            };
            if matches!(name, "-h" | "--help") {
                return Err(ParseError::Help);
            }
            match name {
                "--multiplex" => options.multiplex = true,
                "--zlib" => options.zlib = true,
                "--ssl" => options.ssl = true,
                _ => {
                    let value = inline
                        .or_else(|| args.next())
                        .ok_or_else(|| ParseError::Invalid(format!("{name} needs a value")))?;
                    options.set(name, &value).map_err(ParseError::Invalid)?;
                }
            }
        }
        if options.header {
            options.transport = match options.transport {
                Transport::Framed => Transport::HeaderInFramed,
                _ => Transport::Header,
            };
        }
        Ok(options)
    }

    fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        match name {
            "--host" => value.clone_into(&mut self.host),
            "--port" => self.port = number(name, value)?,
            "--domain-socket" => self.domain_socket = Some(PathBuf::from(value)),
            "--transport" => {
                self.transport = match value {
                    "buffered" => Transport::Buffered,
                    "framed" => Transport::Framed,
                    "zlib" => {
                        self.zlib = true;
                        Transport::Buffered
                    }
                    "http" => {
                        self.http = true;
                        Transport::Buffered
                    }
                    _ => {
                        return Err(format!(
                            "--transport {value}: buffered, framed, zlib or http"
                        ))
                    }
                }
            }
            "--protocol" => {
                let multiplex = value.starts_with("multi");
                let (protocol, header) = match value {
                    "binary" | "accel" | "multi" | "multia" => (Protocol::Binary, false),
                    "compact" | "accelc" | "multic" | "multiac" => (Protocol::Compact, false),
                    "json" | "multij" => (Protocol::Json, false),
                    "header" | "multih" => (Protocol::Binary, true),
                    _ => {
                        return Err(format!(
                            "--protocol {value}: binary, compact, json, header, or multi, \
                             multic, multij, multih"
                        ))
                    }
                };
                (self.protocol, self.header) = (protocol, header);
                self.multiplex |= multiplex;
            }
            "-n" | "--testloops" => self.loops = number(name, value)?,
            "--server-type" | "--workers" => {}
            _ => return Err(format!("unknown option {name} (see --help)")),
        }
        Ok(())
    }
}

fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{name} {value}: not a number in range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, ParseError> {
        Options::parse(args.iter().map(|a| (*a).to_owned()))
    }

    #[test]
    fn both_spellings_and_the_multiplexed_protocol_names() {
        let options = parse(&[
            "--port=9091",
            "--transport",
            "framed",
            "--protocol=multic",
            "-n",
            "3",
        ])
        .expect("valid");
        assert_eq!(
            options,
            Options {
                port: 9091,
                transport: Transport::Framed,
                protocol: Protocol::Compact,
                multiplex: true,
                loops: 3,
                ..Options::default()
            }
        );
    }

    #[test]
    fn header_zlib_and_ssl_as_apaches_runner_passes_them() {
        let header = parse(&["--protocol=header", "--transport=framed", "--ssl"]).expect("valid");
        assert_eq!(
            (
                header.transport,
                header.protocol,
                header.ssl,
                header.multiplex
            ),
            (Transport::HeaderInFramed, Protocol::Binary, true, false)
        );
        let zlib = parse(&["--transport=zlib", "--zlib", "--protocol=multij"]).expect("valid");
        assert_eq!(
            (zlib.transport, zlib.zlib, zlib.protocol, zlib.multiplex),
            (Transport::Buffered, true, Protocol::Json, true)
        );
        let http = parse(&["--transport=http", "--protocol=header"]).expect("valid");
        assert_eq!(
            (http.http, http.transport, http.zlib),
            (true, Transport::Header, false)
        );
        let buffered = parse(&["--protocol=multih"]).expect("valid");
        assert_eq!(
            (buffered.transport, buffered.multiplex),
            (Transport::Header, true)
        );
    }

    #[test]
    fn mistakes_are_explained() {
        let Err(ParseError::Invalid(message)) = parse(&["--protocol", "simplejson"]) else {
            panic!("simple JSON is not supported");
        };
        assert!(message.contains("binary, compact, json"), "{message}");
        assert_eq!(
            parse(&["--port"]),
            Err(ParseError::Invalid("--port needs a value".to_owned()))
        );
        assert!(matches!(
            parse(&["--port", "70000"]),
            Err(ParseError::Invalid(_))
        ));
        assert!(matches!(
            parse(&["--transport", "sasl"]),
            Err(ParseError::Invalid(_))
        ));
        assert_eq!(parse(&["-h"]), Err(ParseError::Help));
    }
}
