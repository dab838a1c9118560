//! Where a JSON message ends on the buffered transport: at the bracket that closes the array
//! it opens with, outside strings. One pass, kept across reads, so each byte is looked at
//! once however the message is trickled in.

use crate::protocol::ProtocolError;

/// How far the scan of one message has come.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// Bytes scanned.
    pub(super) pos: usize,
    /// Arrays and objects open.
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl Scan {
    /// Scans on over `data` (the message so far, from its start): its length once complete.
    pub(super) fn advance(&mut self, data: &[u8]) -> Result<Option<usize>, ProtocolError> {
        while let Some(&byte) = data.get(self.pos) {
            self.pos += 1;
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if byte == b'\\' {
                    self.escaped = true;
                } else if byte == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match byte {
                b'[' => self.depth += 1,
                _ if self.depth == 0 => {
                    return Err(ProtocolError::invalid(format!(
                        "a JSON message starts with '[', not {:?}",
                        char::from(byte)
                    )))
                }
                b'{' => self.depth += 1,
                b'"' => self.in_string = true,
                b']' | b'}' => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        return Ok(Some(self.pos));
                    }
                }
                _ => {}
            }
        }
        Ok(None)
    }
}
