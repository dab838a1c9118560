//! Runs the front end over every file of `../shared/idl-corpus` (real IDL from public
//! projects), with the include paths the corpus's `check-apache.sh` uses.
//!
//! Files Apache Thrift 0.17 accepts must pass. Files it rejects must be listed in
//! [`APACHE_REJECTS`]: either accepted, naming the extension (see `docs/extensions.md`), or
//! rejected with an error of the given code at the given line.

use thrift_bidi_build::check_files;
use thrift_bidi_tests::{corpus_files, CorpusFile};

/// What we do with a file Apache rejects.
enum Expect {
    /// Accepted thanks to this documented extension.
    Accept(&'static str),
    /// Rejected: an error with this code at this line of the file itself.
    Reject { code: &'static str, line: usize },
}

use Expect::{Accept, Reject};

const APACHE_REJECTS: &[(&str, Expect)] = &[
    (
        "Thriftpy__thriftpy2/tests/parser-cases/annotations.thrift",
        Accept("annotations after a constant value"),
    ),
    (
        "Thriftpy__thriftpy2/tests/recursive_definition.thrift",
        Accept("forward references to typedefs"),
    ),
    (
        "apache__thrift/compiler/cpp/test/keyword-samples/struct1_return.thrift",
        Accept("other languages' reserved words as names"),
    ),
    (
        "apache__thrift/lib/netstd/Tests/Thrift.Compile.Tests/optional_required_default.thrift",
        Accept("uuid (Thrift 0.19)"),
    ),
    (
        "apache__thrift/lib/rs/test/thrifts/Base_One.thrift",
        Accept("uuid (Thrift 0.19)"),
    ),
    (
        "apache__thrift/test/ConstantsDemo.thrift",
        Accept("uuid (Thrift 0.19)"),
    ),
    (
        "apache__thrift/test/DebugProtoTest.thrift",
        Accept("uuid (Thrift 0.19)"),
    ),
    (
        "apache__thrift/test/NameConflictTest.thrift",
        Accept("keywords as field names (Thrift 0.18)"),
    ),
    (
        "apache__thrift/test/ThriftTest.thrift",
        Accept("uuid (Thrift 0.19)"),
    ),
    (
        "apache__thrift@aad75837/test/AnnotationTest.thrift",
        Accept("senum (deprecated, warned)"),
    ),
    (
        "cloudwego__pilota/pilota-build/test_data/thrift/auto_name.thrift",
        Reject {
            code: "E0403",
            line: 24,
        },
    ),
    (
        "cloudwego__pilota/pilota-build/test_data/thrift/default_value.thrift",
        Accept("annotations after a constant value"),
    ),
    (
        "cloudwego__pilota/pilota-build/test_data/thrift/multi.thrift",
        Accept("annotations after a constant value"),
    ),
    (
        "cloudwego__pilota/pilota-build/test_data/thrift/normal.thrift",
        Accept("uuid (Thrift 0.19)"),
    ),
    (
        "cloudwego__pilota/pilota-build/test_data/thrift/path_keyword.thrift",
        Accept("keywords as namespace names"),
    ),
    (
        "cloudwego__pilota/pilota-build/test_data/thrift/self_kw.thrift",
        Accept("other languages' reserved words as names"),
    ),
    (
        "cloudwego__pilota/pilota-thrift-reflect/idl/descriptor.thrift",
        Accept("other languages' reserved words as names"),
    ),
    (
        "facebook__fbthrift/thrift/annotation/scope.thrift",
        Accept("fbthrift package and @annotations"),
    ),
    (
        "facebook__fbthrift/thrift/annotation/thrift.thrift",
        Accept("fbthrift package and @annotations"),
    ),
    (
        "facebook__fbthrift/thrift/example/if/chatroom.thrift",
        Accept("fbthrift package and @annotations"),
    ),
    (
        "twitter__scrooge/scrooge-generator-tests/src/test/thrift/standalone/const.thrift",
        Accept("constants referring to enum-typed constants"),
    ),
    (
        "uber__thriftrw-go/gen/internal/tests/thrift/collision.thrift",
        Accept("struct constants as default values"),
    ),
    (
        "uber__thriftrw-go/gen/internal/tests/thrift/constants.thrift",
        Accept("uuid as a name (before Thrift 0.19)"),
    ),
    (
        "uber__thriftrw-go/gen/internal/tests/thrift/containers.thrift",
        Accept("uuid as a name (before Thrift 0.19)"),
    ),
    (
        "uber__thriftrw-go/gen/internal/tests/thrift/enum_conflict.thrift",
        Accept("uuid as a name (before Thrift 0.19)"),
    ),
    (
        "uber__thriftrw-go/gen/internal/tests/thrift/unions.thrift",
        Accept("empty unions"),
    ),
    (
        "uber__thriftrw-go/gen/internal/tests/thrift/uuid_conflict.thrift",
        Accept("uuid as a name (before Thrift 0.19)"),
    ),
];

/// Checks one file against its expectation; `Err` says how it regressed.
fn verdict(row: &CorpusFile) -> Result<bool, String> {
    let checked = check_files(std::slice::from_ref(&row.full_path), &row.include_dirs);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    let expect = APACHE_REJECTS
        .iter()
        .find(|(p, _)| *p == row.path)
        .map(|(_, e)| e);
    match (row.apache_ok, expect) {
        (false, Some(Accept(extension))) if errors.is_empty() => {
            println!("accepted by extension ({extension}): {}", row.path);
            Ok(true)
        }
        (true, None) if errors.is_empty() => Ok(true),
        (true, None) | (false, Some(Accept(_))) => Err(checked.render(false)),
        (false, Some(Reject { code, line })) => {
            let at_line = errors.iter().any(|d| {
                let location = d.location().map(|s| {
                    let file = checked.sources.get(s.file);
                    (file.name().ends_with(&row.path), file.line_col(s.start).0)
                });
                d.code.as_str() == *code && location == Some((true, *line))
            });
            if at_line {
                Ok(false)
            } else {
                Err(format!(
                    "expected {code} at line {line}, got:\n{}",
                    checked.render(false)
                ))
            }
        }
        (false, None) => Err(format!(
            "Apache rejects it; list it in APACHE_REJECTS\n{}",
            checked.render(false)
        )),
        (true, Some(_)) => Err("Apache accepts it; remove it from APACHE_REJECTS".to_owned()),
    }
}

#[test]
fn every_corpus_file_is_accepted_or_rejected_where_expected() {
    let rows = corpus_files();
    assert!(rows.len() >= 189, "the corpus lists {} files", rows.len());
    let mut accepted = 0;
    let mut failures = Vec::new();
    for row in &rows {
        match verdict(row) {
            Ok(true) => accepted += 1,
            Ok(false) => {}
            Err(why) => failures.push(format!("--- {}\n{why}", row.path)),
        }
    }
    println!("corpus: {accepted}/{} accepted", rows.len());
    assert!(
        failures.is_empty(),
        "{} corpus files regressed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_listed_file_is_in_the_corpus() {
    let rows = corpus_files();
    for (path, _) in APACHE_REJECTS {
        assert!(
            rows.iter().any(|r| r.path == *path && !r.apache_ok),
            "{path} is not an Apache-rejected corpus file"
        );
    }
}
