//! The envelope of a topic's payload on the broker: the publishing node's name (one byte of
//! length, then the name), then the payload. Both backends carry it alike, and a node knows
//! its own payloads coming back.
//!
//! Input: a node's name and a payload, or an envelope from the broker. Output: the other.

use bytes::{BufMut, Bytes, BytesMut};

/// `payload`, from `node` (a name of at most [`crate::options::MAX_NODE`] bytes).
pub(crate) fn seal(node: &str, payload: &[u8]) -> Bytes {
    let mut sealed = BytesMut::with_capacity(1 + node.len() + payload.len());
    put_name(&mut sealed, node);
    sealed.put_slice(payload);
    sealed.freeze()
}

/// The node and payload of an envelope, unless it is cut short or its name is not UTF-8.
pub(crate) fn open(mut sealed: Bytes) -> Option<(String, Bytes)> {
    let node = take_name(&mut sealed)?;
    Some((node, sealed))
}

/// Writes `name` (at most 255 bytes): one byte of length, then its bytes.
pub(crate) fn put_name(frame: &mut BytesMut, name: &str) {
    frame.put_u8(u8::try_from(name.len()).unwrap_or(u8::MAX));
    frame.put_slice(&name.as_bytes()[..name.len().min(255)]);
}

/// Takes a name written by [`put_name`] off the front of `frame`.
pub(crate) fn take_name(frame: &mut Bytes) -> Option<String> {
    let len = usize::from(*frame.first()?);
    if frame.len() < 1 + len {
        return None;
    }
    let name = frame.split_to(1 + len).split_off(1);
    String::from_utf8(name.to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_opens_to_what_was_sealed_and_a_short_one_does_not() {
        let sealed = seal("node-a", b"hello");
        assert_eq!(&sealed[..], b"\x06node-ahello");
        assert_eq!(
            open(sealed),
            Some(("node-a".to_owned(), Bytes::from_static(b"hello")))
        );
        assert_eq!(open(Bytes::from_static(b"\x07node-a")), None);
        assert_eq!(open(Bytes::new()), None);
    }
}
