//! The command lines of `chat-server` and `chat-client`: `--name value` options.

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
