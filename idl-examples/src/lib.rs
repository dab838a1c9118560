//! Example IDL and programs built with thrift-bidi. The IDL lives in `idl/`; the programs that
//! use its generated code arrive with code generation.
