//! Fuzz target: `thrift_bidi_tests::fuzz::http` on every input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| thrift_bidi_tests::fuzz::http(data));
