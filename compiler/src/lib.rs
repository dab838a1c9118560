//! The thrift-bidi IDL compiler.

pub mod diagnostics;
pub mod source;
pub mod syntax;
