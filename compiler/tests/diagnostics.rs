//! Every file in `tests/fixtures/errors/` is a small bad IDL file named after the diagnostic it
//! must produce (`E0201_duplicate_field_id.thrift`). Each must produce that code — an error for
//! `E` codes, making the check fail — and its rendered diagnostics are snapshotted so a person
//! can read them as a user would.

use thrift_bidi_build::{check_files, Severity};

#[test]
fn every_fixture_reports_its_code() {
    let mut count = 0;
    insta::glob!("fixtures/errors/*.thrift", |path| {
        count += 1;
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("fixture names are UTF-8");
        let code = name
            .split('_')
            .next()
            .expect("fixture names start with a code");
        // A path relative to the crate, so snapshots do not depend on where the repo lives.
        let relative =
            std::path::Path::new("tests/fixtures/errors").join(path.file_name().expect("a file"));
        let checked = check_files(&[relative], &[]);
        let matching: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| d.code.as_str() == code)
            .collect();
        assert!(
            !matching.is_empty(),
            "{name}: no {code} among:\n{}",
            checked.render(false)
        );
        let wanted = if code.starts_with('E') {
            Severity::Error
        } else {
            Severity::Warning
        };
        assert!(
            matching.iter().all(|d| d.severity == wanted),
            "{name}: {code} has the wrong severity"
        );
        assert_eq!(
            checked.has_errors(),
            code.starts_with('E'),
            "{name}:\n{}",
            checked.render(false)
        );
        insta::assert_snapshot!(checked.render(false));
    });
    assert!(count >= 40, "only {count} fixtures");
}
