//! Generated code, snapshotted: every file in `tests/fixtures/codegen/` shows one feature, and
//! its generated files are snapshotted together (module tree first) for a person to read. That
//! the generated code compiles and encodes correctly is tested in the `tests` crate.

use std::fmt::Write as _;

use thrift_bidi_build::Config;

#[test]
fn every_fixture_generates_readable_code() {
    insta::glob!("fixtures/codegen/*.thrift", |path| {
        let relative =
            std::path::Path::new("tests/fixtures/codegen").join(path.file_name().expect("a file"));
        let generated = Config::new()
            .generate(&[relative], &[] as &[&str])
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut all = String::new();
        let files = generated.files.iter();
        let (tree, modules): (Vec<_>, Vec<_>) = files.partition(|f| f.name == "mod.rs");
        for file in tree.into_iter().chain(modules) {
            let _ = write!(all, "==> {} <==\n{}\n", file.name, file.contents);
        }
        insta::assert_snapshot!(all);
    });
}

#[test]
fn output_is_byte_identical_run_to_run() {
    let files = [
        "tests/fixtures/codegen/collections.thrift",
        "tests/fixtures/codegen/includes.thrift",
    ];
    let first = Config::new()
        .generate(&files, &[] as &[&str])
        .expect("generates");
    let second = Config::new()
        .generate(&files, &[] as &[&str])
        .expect("generates");
    assert_eq!(first.files, second.files);
}

/// `Config::callback` pairs services as the `bidi.callback` annotation does: the generated
/// server answers hellos for the paired callback service.
#[test]
fn config_pairs_a_service_with_its_callback_service() {
    let file = ["tests/fixtures/codegen/service.thrift"];
    let server_of = |generated: &thrift_bidi_build::Generated| {
        let module = generated
            .files
            .iter()
            .find(|f| f.name == "service.rs")
            .expect("the module");
        module.contents.clone()
    };
    let plain = Config::new()
        .generate(&file, &[] as &[&str])
        .expect("generates");
    assert!(!server_of(&plain).contains("fn callback("));
    let paired = Config::new()
        .callback("service.Store", "service.Cache")
        .generate(&file, &[] as &[&str])
        .expect("generates");
    let code = server_of(&paired);
    let callback = code.find("fn callback(").expect("a callback service");
    assert!(code[callback..].contains("Some(\"Cache\")"), "{code}");
    let unknown = Config::new()
        .callback("service.Nope", "service.Cache")
        .generate(&file, &[] as &[&str])
        .expect_err("no such service");
    assert_eq!(
        unknown.to_string(),
        "`service.Nope` given to Config::callback is not a service (write `module.Service`)"
    );
}

/// `Config::idempotent` marks a function as the `bidi.idempotent` annotation does: its client
/// method calls `call_idempotent`, which retry layers may retry; a path naming no function of
/// the service that declares it is an error.
#[test]
fn config_marks_a_function_idempotent() {
    let file = ["tests/fixtures/codegen/service.thrift"];
    let client_of = |config: &Config| {
        let generated = config.generate(&file, &[] as &[&str]).expect("generates");
        let module = generated.files.iter().find(|f| f.name == "service.rs");
        module.expect("the module").contents.clone()
    };
    // `get` is annotated in the fixture; `clear` is not.
    let plain = client_of(&Config::new());
    assert_eq!(
        plain.matches(".call_idempotent(").count(),
        2,
        "Store's and Cache's get"
    );
    assert!(plain.contains(".call(\"clear\""), "{plain}");
    let marked = client_of(Config::new().idempotent("service.Store.clear"));
    assert!(marked.contains(".call_idempotent(\"clear\""), "{marked}");
    for path in [
        "service.Store.nope",
        "service.Cache.clear",
        "Store.clear",
        "clear",
    ] {
        let unknown = Config::new()
            .idempotent(path)
            .generate(&file, &[] as &[&str])
            .expect_err("no such function");
        assert_eq!(
            unknown.to_string(),
            format!("`{path}` given to Config::idempotent is not a function (write `module.Service.function`)")
        );
    }
}

/// `Config::hasher` puts its `BuildHasher` on every hashed collection, and only there; a
/// hasher that is not a Rust type is an error naming it.
#[test]
fn config_hasher_parameterises_hashed_collections() {
    let file = ["tests/fixtures/codegen/collections.thrift"];
    let generated = Config::new()
        .hasher("::foldhash::fast::RandomState")
        .generate(&file, &[] as &[&str])
        .expect("generates");
    let code = &generated
        .files
        .iter()
        .find(|f| f.name == "collections.rs")
        .expect("the module")
        .contents;
    // Without the line breaks and trailing commas of the pretty-printer.
    let flat = code
        .split_whitespace()
        .collect::<String>()
        .replace(",>", ">");
    // `set<i32>` and `map<string, binary>` are hashed; `map<set<i32>, _>` cannot be (a
    // `HashSet` is neither `Hash` nor `Ord`) and falls back to a `VecMap`, which takes none.
    assert!(
        flat.contains("HashSet<i32,::foldhash::fast::RandomState>"),
        "{code}"
    );
    assert!(
        flat.contains("HashMap<::std::string::String,::thrift_bidi::__codegen::Bytes,::foldhash::fast::RandomState>"),
        "{code}"
    );
    assert!(!flat.contains("HashSet<i32>"), "{code}");
    assert!(
        flat.contains(
            "VecMap<::thrift_bidi::__codegen::HashSet<i32,::foldhash::fast::RandomState>,"
        ),
        "{code}"
    );
    let bad = Config::new()
        .hasher("not a type!")
        .generate(&file, &[] as &[&str])
        .expect_err("not a type");
    assert!(
        bad.to_string()
            .starts_with("hasher `not a type!` is not a Rust type: "),
        "{bad}"
    );
}

/// Same-named files in different directories get the modules of their directories, however
/// they are found (as roots, beside the including file, or through the include directory), so
/// a whole tree is generated in one call; names that convert alike keep their spelling.
#[test]
fn a_tree_with_same_named_files_generates_in_one_call() {
    let tree = "tests/fixtures/tree";
    let roots = [
        "billing/service.thrift",
        "users/service.thrift",
        "hyphen-ated.thrift",
        "hyphen_ated.thrift",
    ]
    .map(|f| format!("{tree}/{f}"));
    let generated = Config::new().generate(&roots, &[tree]).expect("generates");
    let names: Vec<&str> = generated.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "billing/service.rs",
            "billing/shared.rs",
            "hyphen_ated.rs",
            "hyphenated.rs",
            "include_idl.rs",
            "mod.rs",
            "users/service.rs",
            "users/shared.rs",
        ]
    );
    assert!(
        generated
            .warnings
            .contains("warning[W0009]: this file becomes the Rust module `hyphenated`"),
        "{}",
        generated.warnings
    );
    // A root in the include directory is anchored there, not at its own directory.
    let one = Config::new()
        .generate(&[format!("{tree}/users/shared.thrift")], &[tree])
        .expect("generates");
    assert_eq!(one.files[2].name, "users/shared.rs");
    // Without the include directory, a root is anchored at its own directory.
    let alone = Config::new()
        .generate(&[format!("{tree}/users/shared.thrift")], &[] as &[&str])
        .expect("generates");
    assert_eq!(alone.files[2].name, "shared.rs");
}
