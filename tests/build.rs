//! Generates the Rust the wire tests compare: ours (with thrift-bidi-build) and Apache's
//! (`thrift --gen rs`, the Debian compiler that `scripts/setup.sh` installs) for the same IDL.
//!
//! - `ThriftTest.thrift` from the corpus, minus its two `uuid` lines (Apache 0.17 has no uuid;
//!   this copy is also what the cross test serves, and Apache's Python for it is generated too),
//! - `bench.thrift`, the benchmark schema,
//! - `idl/everything.thrift` (every field type) and, ours only, `idl/recursive.thrift`,
//!   `idl/uuids.thrift`, `idl/services.thrift`, `idl/approvals.thrift`,
//!   `idl/bidi_bench.thrift` and `idl/ledger.thrift` (with `Ledger.audit` marked idempotent by
//!   config).
//!
//! Ours is generated with `BTreeMap`s, `proptest` derives and serde for the oracle tests (and
//! the codegen fixtures with serde, for the serde tests), with the
//! default configuration for the benchmark and the round-trip tests, and (`bench.thrift` only)
//! in the configuration for speed (zero-copy `ByteString` strings, foldhash maps) for the
//! benchmark.

use std::path::{Path, PathBuf};
use std::process::Command;

use thrift_bidi_build::{Collections, Config, Strings};

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = manifest.join("../../shared");
    let thrift_test = shared.join("idl-corpus/apache__thrift/test/ThriftTest.thrift");
    let idl = out.join("idl");
    std::fs::create_dir_all(&idl).expect("OUT_DIR is writable");
    let text = std::fs::read_to_string(&thrift_test).expect("the corpus is next to the repo");
    let without_uuid = keep_lines(&text, |line| !is_uuid_declaration(line));
    // thriftpy2 0.7 cannot parse annotated namespaces (`namespace xsd test (uri = ...)`).
    let for_thriftpy2 = keep_lines(&without_uuid, |line| !line.starts_with("namespace"));
    std::fs::write(idl.join("ThriftTest-thriftpy2.thrift"), for_thriftpy2).expect("writable");
    std::fs::write(idl.join("ThriftTest.thrift"), without_uuid).expect("writable");
    let apache_files = [
        idl.join("ThriftTest.thrift"),
        shared.join("bench/bench.thrift"),
        manifest.join("idl/everything.thrift"),
    ];
    for file in &apache_files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    println!("cargo:rerun-if-changed=idl");

    let mut oracle = Config::new();
    oracle
        .collections(Collections::BTree)
        .type_attribute(".", "#[derive(proptest_derive::Arbitrary)]")
        .serde(".");
    for field in BINARY_FIELDS {
        oracle.field_attribute(
            *field,
            "#[proptest(strategy = \"crate::strategies::binary()\")]",
        );
    }
    generate(&oracle, &apache_files, &out.join("oracle"));
    let mut all = apache_files.to_vec();
    all.push(manifest.join("idl/recursive.thrift"));
    all.push(manifest.join("idl/uuids.thrift"));
    all.push(manifest.join("idl/services.thrift"));
    all.push(manifest.join("idl/approvals.thrift"));
    all.push(manifest.join("idl/bidi_bench.thrift"));
    all.push(manifest.join("idl/ledger.thrift"));
    let mut default = Config::new();
    default.idempotent("ledger.Ledger.audit");
    generate(&default, &all, &out.join("default"));
    // The codegen fixtures with serde, for the serde tests.
    let fixtures = manifest.join("../compiler/tests/fixtures/codegen");
    println!("cargo:rerun-if-changed={}", fixtures.display());
    let mut fixture_files: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .expect("the fixtures exist")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "thrift"))
        .collect();
    fixture_files.sort();
    let mut serde = Config::new();
    serde.serde(".");
    generate(&serde, &fixture_files, &out.join("serde_fixtures"));
    let mut fast = Config::new();
    fast.strings(Strings::ByteString)
        .hasher("::foldhash::fast::RandomState");
    generate(&fast, &apache_files[1..2], &out.join("fast"));
    apache(&apache_files, &out.join("apache"));
    // Unknown fields: Apache's Rust for the newer IDL, ours for the older one keeping them.
    let v2 = manifest.join("idl/evolution_v2.thrift");
    apache(std::slice::from_ref(&v2), &out.join("apache"));
    let mut keep = Config::new();
    for name in ["Record", "Inner", "Choice"] {
        keep.keep_unknown_fields(format!("evolution_v1.{name}"));
    }
    generate(
        &keep,
        &[manifest.join("idl/evolution_v1.thrift")],
        &out.join("unknown"),
    );
    let uuid = manifest.join("idl/evolution_uuid.thrift");
    generate(&Config::new(), &[uuid], &out.join("unknown_uuid"));
    // Apache's Python for ThriftTest, for the Python peers of the cross test.
    thrift("py", &idl.join("ThriftTest.thrift"), &out.join("gen-py"));
    // For every field type, for the JSON protocol's golden vectors and oracle.
    thrift("py", &apache_files[2], &out.join("gen-py"));
    // And for the chat, for the plain Python peers of the bidirectional tests.
    let chat = manifest.join("../idl-examples/idl/chat.thrift");
    println!("cargo:rerun-if-changed={}", chat.display());
    thrift("py", &chat, &out.join("gen-py"));
    // And for the ledger, for the Python peers of the per-call context test.
    thrift(
        "py",
        &manifest.join("idl/ledger.thrift"),
        &out.join("gen-py"),
    );
    // And for the jobs, for the golden transcript of a bidirectional session.
    let jobs = manifest.join("../idl-examples/idl/jobs.thrift");
    println!("cargo:rerun-if-changed={}", jobs.display());
    thrift("py", &jobs, &out.join("gen-py"));
}

/// Fields holding `binary`, for which proptest needs a strategy (`Bytes` has none).
const BINARY_FIELDS: &[&str] = &[
    "ThriftTest.CrazyNesting.binary_field",
    "ThriftTest.OptionalBinary.bin_set",
    "ThriftTest.OptionalBinary.bin_map",
    "bench.Item.blob",
    "everything.Everything.a_binary",
    "everything.Everything.blobs",
];

/// A field or method of type `uuid` (comments that mention it stay).
fn is_uuid_declaration(line: &str) -> bool {
    let code = line.trim_start();
    !code.starts_with('*')
        && !code.starts_with("//")
        && code.split_whitespace().any(|w| w == "uuid")
}

fn generate(config: &Config, files: &[PathBuf], dir: &Path) {
    let generated = config
        .generate(files, &[] as &[PathBuf])
        .unwrap_or_else(|e| panic!("thrift-bidi-build failed:\n{e}"));
    generated.write(dir).expect("OUT_DIR is writable");
}

/// Runs Apache's Rust generator, then drops the inner attributes it writes, which `include!`
/// cannot take.
fn apache(files: &[PathBuf], dir: &Path) {
    for file in files {
        thrift("rs", file, dir);
    }
    for entry in std::fs::read_dir(dir).expect("just written") {
        let path = entry.expect("readable").path();
        let text = std::fs::read_to_string(&path).expect("Apache writes UTF-8");
        let kept = keep_lines(&text, |line| !line.starts_with("#!["));
        std::fs::write(&path, kept).expect("writable");
    }
}

/// `thrift --gen <generator> -out <dir> <file>` with Apache's compiler.
fn thrift(generator: &str, file: &Path, dir: &Path) {
    std::fs::create_dir_all(dir).expect("OUT_DIR is writable");
    let status = Command::new("thrift")
        .args(["--gen", generator, "-out"])
        .arg(dir)
        .arg(file)
        .status()
        .unwrap_or_else(|e| panic!("cannot run Apache `thrift` ({e}); run scripts/setup.sh"));
    assert!(
        status.success(),
        "thrift --gen {generator} {} failed",
        file.display()
    );
}

/// The lines of `text` that `keep` accepts.
fn keep_lines(text: &str, keep: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines().filter(|line| keep(line)) {
        out.push_str(line);
        out.push('\n');
    }
    out
}
