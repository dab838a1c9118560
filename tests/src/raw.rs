//! Binary-protocol messages built by hand, byte by byte from the protocol's specification (not
//! by our encoder), for tests that talk to a server over a bare socket.

/// The message type byte of a CALL.
pub const CALL: u8 = 1;
/// The message type byte of a REPLY.
pub const REPLY: u8 = 2;
/// The message type byte of a ONEWAY.
pub const ONEWAY: u8 = 4;

/// A strict binary-protocol message: version and `kind`, `method`, `seqid`, then `body` (the
/// encoded args or result struct).
///
/// # Panics
/// If `method` is longer than 4 GiB.
pub fn binary_message(kind: u8, method: &str, seqid: i32, body: &[u8]) -> Vec<u8> {
    let mut message = vec![0x80, 0x01, 0x00, kind];
    message.extend(
        u32::try_from(method.len())
            .expect("a short name")
            .to_be_bytes(),
    );
    message.extend(method.as_bytes());
    message.extend(seqid.to_be_bytes());
    message.extend(body);
    message
}

/// `message` as one frame of the framed transport.
///
/// # Panics
/// If `message` is longer than 4 GiB.
pub fn framed(message: &[u8]) -> Vec<u8> {
    let len = u32::try_from(message.len()).expect("a short message");
    let mut frame = len.to_be_bytes().to_vec();
    frame.extend(message);
    frame
}

/// The struct `{1: i32 n}` in the binary protocol (the args of `ping(n)` or `blob(size)`).
pub fn i32_args(n: i32) -> Vec<u8> {
    let mut args = vec![8, 0, 1];
    args.extend(n.to_be_bytes());
    args.push(0);
    args
}

/// The struct `{1: string text}` in the binary protocol (the args of `note(text)`).
///
/// # Panics
/// If `text` is longer than 4 GiB.
pub fn string_args(text: &str) -> Vec<u8> {
    let mut args = vec![11, 0, 1];
    args.extend(
        u32::try_from(text.len())
            .expect("a short text")
            .to_be_bytes(),
    );
    args.extend(text.as_bytes());
    args.push(0);
    args
}
