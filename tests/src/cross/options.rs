//! The command line of Apache Thrift's cross-test binaries (`test/README.md` in Apache's tree),
//! shared by `cross-server` and `cross-client`.

use std::path::PathBuf;

use thrift_bidi::protocol::Protocol;
use thrift_bidi::Transport;

/// What `cross-server` or `cross-client` was asked to do.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Host to connect to (client) or listen on (server).
    pub host: String,
    /// TCP port; the server takes 0 to mean any free port.
    pub port: u16,
    /// A Unix domain socket instead of host and port.
    pub domain_socket: Option<PathBuf>,
    /// `--transport buffered|framed`.
    pub transport: Transport,
    /// `--protocol binary|compact` (`multi` and `multic` imply `--multiplex`).
    pub protocol: Protocol,
    /// The multiplexed protocol: `ThriftTest` and `SecondService` on one connection.
    pub multiplex: bool,
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
            protocol: Protocol::Binary,
            multiplex: false,
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
  --transport ARG          buffered (default) or framed
  --protocol ARG           binary (default), compact, multi or multic (multiplexed)
  --multiplex              the multiplexed protocol (ThriftTest and SecondService)
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
            if name == "--multiplex" {
                options.multiplex = true;
                continue;
            }
            let value = inline
                .or_else(|| args.next())
                .ok_or_else(|| ParseError::Invalid(format!("{name} needs a value")))?;
            options.set(name, &value).map_err(ParseError::Invalid)?;
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
                    _ => return Err(format!("--transport {value}: buffered or framed")),
                }
            }
            "--protocol" => {
                (self.protocol, self.multiplex) = match value {
                    "binary" => (Protocol::Binary, self.multiplex),
                    "compact" => (Protocol::Compact, self.multiplex),
                    "multi" => (Protocol::Binary, true),
                    "multic" => (Protocol::Compact, true),
                    _ => {
                        return Err(format!(
                            "--protocol {value}: binary, compact, multi or multic"
                        ))
                    }
                }
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
    fn mistakes_are_explained() {
        let Err(ParseError::Invalid(message)) = parse(&["--protocol", "json"]) else {
            panic!("json is not supported");
        };
        assert!(message.contains("binary, compact"), "{message}");
        assert_eq!(
            parse(&["--port"]),
            Err(ParseError::Invalid("--port needs a value".to_owned()))
        );
        assert!(matches!(
            parse(&["--port", "70000"]),
            Err(ParseError::Invalid(_))
        ));
        assert!(matches!(parse(&["--ssl"]), Err(ParseError::Invalid(_))));
        assert_eq!(parse(&["-h"]), Err(ParseError::Help));
    }
}
