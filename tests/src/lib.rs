//! Integration tests of thrift-bidi: the corpus of real IDL files, and (later) wire
//! compatibility with Apache Thrift and interop with Python peers. See `tests/`.
