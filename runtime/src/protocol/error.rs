//! Protocol errors: what was wrong with the bytes, and where in the value it happened.

use std::fmt;

/// What kind of problem a [`ProtocolError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtocolErrorKind {
    /// The input ended in the middle of a value (or before the elements or bytes a length
    /// claims).
    UnexpectedEof,
    /// The bytes are not a valid encoding.
    InvalidData,
    /// A length or count is negative.
    NegativeSize,
    /// A length or count is over its [`super::Limits`].
    SizeLimit,
    /// Values are nested deeper than the limit.
    DepthLimit,
    /// A message header with an unknown protocol version.
    BadVersion,
    /// A required field is missing.
    MissingField,
}

/// A decoding failure, with the path of structs and fields it happened in.
///
/// One pointer wide, so the `Result`s of the decoding hot path stay small enough to return in
/// registers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolError(Box<Inner>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    kind: ProtocolErrorKind,
    message: String,
    /// Outermost first: `["Batch.items", "Item.dims", "Dims.width"]`.
    path: Vec<String>,
}

impl ProtocolError {
    /// An error of `kind` saying `message`.
    #[cold]
    pub fn new(kind: ProtocolErrorKind, message: impl Into<String>) -> Self {
        Self(Box::new(Inner {
            kind,
            message: message.into(),
            path: Vec::new(),
        }))
    }

    #[cold]
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(ProtocolErrorKind::InvalidData, message)
    }

    #[cold]
    pub(crate) fn eof() -> Self {
        Self::new(ProtocolErrorKind::UnexpectedEof, "unexpected end of input")
    }

    /// Records that the error happened in field `field` of struct `owner` (called by generated
    /// code as the error travels outwards).
    #[must_use]
    #[cold]
    pub fn in_field(mut self, owner: &str, field: &str) -> Self {
        self.0.path.insert(0, format!("{owner}.{field}"));
        self
    }

    /// What kind of problem it is.
    pub fn kind(&self) -> ProtocolErrorKind {
        self.0.kind
    }

    /// What was wrong, without the path.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Where it happened, outermost first.
    pub fn path(&self) -> &[String] {
        &self.0.path
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)?;
        if !self.0.path.is_empty() {
            write!(f, " (in {})", self.0.path.join(" > "))?;
        }
        Ok(())
    }
}

impl std::error::Error for ProtocolError {}
