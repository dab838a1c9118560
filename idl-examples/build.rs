//! Compiles the example IDL with thrift-bidi's build.rs API.

fn main() -> Result<(), thrift_bidi_build::Error> {
    thrift_bidi_build::compile(
        &["idl/chat.thrift", "idl/jobs.thrift", "idl/mailbox.thrift"],
        &["idl"],
    )
}
