//! Names chosen to break generated code: Rust keywords, the names the generator derives
//! (`{S}Client`, `{S}{F}Args`, `try_{f}`, `Rpc`, `success`, `new`, …), prelude names, and
//! names that differ only in case or underscores, drawn at random (proptest, fixed seed) into
//! small IDL files. Each file must get an error diagnostic or Rust that builds: the ones that
//! check clean are generated (with serde), each as a module of one scratch crate, built under
//! `-D warnings` and clippy's pedantic lints. The pool also holds the names generated code
//! uses inside its impls (`A`, `S`, `W`, `Visit`, `map`, …).

use std::fmt::Write as _;
use std::path::PathBuf;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use thrift_bidi_build::{check_roots, Config, Root};
use thrift_bidi_tests::scratch::{Scratch, STRICT};

/// Names to draw from; `{S}` is the service's name and `{F}`/`{f}` its first function's.
const POOL: &[&str] = &[
    "Store",
    "store",
    "STORE",
    "Self",
    "self",
    "super",
    "crate",
    "type",
    "fn",
    "match",
    "mod",
    "async",
    "await",
    "gen",
    "r#try",
    "try",
    "new",
    "channel",
    "builder",
    "builder_with",
    "rpc",
    "Rpc",
    "success",
    "Success",
    "get",
    "Get",
    "getItem",
    "get_item",
    "GetItem",
    "get_item_",
    "_get",
    "__x",
    "x",
    "X",
    "Option",
    "Result",
    "Box",
    "Vec",
    "String",
    "Value",
    "Default",
    "Error",
    "Send",
    "Sync",
    "Future",
    "call",
    "handler",
    "args",
    "result",
    "e",
    "f",
    "_",
    "{S}Client",
    "{S}Server",
    "{S}{F}Args",
    "{S}{F}Result",
    "{S}{F}Error",
    "dispatch_{s}",
    "try_{f}",
    "{s}",
    "{F}",
    "A",
    "S",
    "D",
    "W",
    "R",
    "H",
    "F",
    "C",
    "Visit",
    "map",
    "key",
    "value",
    "Key",
    "Ser",
    "De",
    "Json",
];

const CASES: usize = 64;

/// The IDL of one case, from 16 draws from [`POOL`].
fn idl(picks: &[usize]) -> String {
    let raw = |i: usize| POOL[picks[i] % POOL.len()];
    let (service, function) = (
        raw(0).replace(['{', '}'], ""),
        raw(1).replace(['{', '}'], ""),
    );
    let name = |i: usize| {
        let upper = |s: &str| {
            let mut chars = s.chars();
            chars
                .next()
                .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
        };
        raw(i)
            .replace("{S}", &upper(&service))
            .replace("{s}", &service.to_lowercase())
            .replace("{F}", &upper(&function))
            .replace("{f}", &function)
            .replace("r#", "")
    };
    let mut out = String::new();
    let _ = writeln!(out, "exception {} {{ 1: string {} }}", name(2), name(3));
    let _ = writeln!(
        out,
        "struct {} {{ 1: i32 {}, 2: string {} }}",
        name(4),
        name(5),
        name(6)
    );
    let _ = writeln!(
        out,
        "enum {} {{ {} = 1, {} = 2 }}",
        name(7),
        name(8),
        name(9)
    );
    let _ = writeln!(out, "const i32 {} = 1", name(10));
    let _ = writeln!(
        out,
        "union {} {{ 1: i32 {}, 2: string {} }}",
        name(11),
        name(5),
        name(12)
    );
    let _ = writeln!(
        out,
        "service {service} {{\n  {} {function}(1: i32 {}, 2: {} {}) throws (1: {} {}),\n  \
         oneway void {}(1: string {}),\n  void {}()\n}}",
        name(4),
        name(13),
        name(4),
        name(14),
        name(2),
        name(15),
        name(12),
        name(3),
        name(9),
    );
    out
}

#[test]
fn hostile_names_get_a_diagnostic_or_rust_that_builds() {
    let mut runner = TestRunner::deterministic();
    let strategy = proptest::collection::vec(0..POOL.len(), 16);
    let krate = Scratch::new("hostile-names");
    let mut lib = String::from("//! Hostile names.\n");
    let (mut rejected, mut generated) = (Vec::new(), Vec::new());
    for case in 0..CASES {
        let picks = strategy.new_tree(&mut runner).expect("draws").current();
        let text = idl(&picks);
        let root = Root::Text {
            path: PathBuf::from(format!("case{case:02}.thrift")),
            text: text.clone(),
        };
        let checked = check_roots(&[root], &[]);
        if checked.has_errors() {
            rejected.push((case, checked.render(false)));
            continue;
        }
        let code = Config::new()
            .serde(".")
            .generate_checked(&checked)
            .unwrap_or_else(|e| {
                panic!("case {case} checks clean but does not generate: {e}\n{text}")
            });
        code.write(&krate.dir().join(format!("src/case{case:02}")))
            .expect("writable");
        let _ = writeln!(
            lib,
            "/// Case {case}.\n#[path = \"case{case:02}/mod.rs\"]\npub mod case{case:02};"
        );
        generated.push((case, text));
    }
    krate.write("src/lib.rs", &lib);
    krate.manifest(&["serde"], "", false);
    let output = krate.cargo("clippy", STRICT);
    let stderr = String::from_utf8_lossy(&output.stderr);
    for (case, text) in &generated {
        let prefix = format!("src/case{case:02}/");
        assert!(
            !stderr.lines().any(|l| l.starts_with(&prefix)),
            "case {case} checks clean but its Rust does not build:\n{text}\n{stderr}"
        );
    }
    assert!(
        output.status.success(),
        "the crate does not build:\n{stderr}"
    );
    let e0501 = rejected
        .iter()
        .filter(|(_, r)| r.contains("error[E0501]"))
        .count();
    println!(
        "hostile names: {} cases built, {} rejected ({e0501} for a Rust name clash)",
        generated.len(),
        rejected.len()
    );
    // The pool is hostile enough to reach both outcomes, and clashes with derived names.
    assert!(
        generated.len() >= CASES / 8,
        "too few cases get through: {rejected:#?}"
    );
    assert!(e0501 > 0, "no case clashed with a Rust name");
}
