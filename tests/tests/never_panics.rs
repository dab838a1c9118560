//! The front end must answer every input with a program or diagnostics: never a panic, and
//! every span it reports must lie inside its file, on character boundaries.
//! Inputs: random bytes, and real corpus files mutated by insertions, deletions, truncation and
//! token swaps (10,000 cases in all per run).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use thrift_bidi_tests::corpus_files;
use thrift_bidi_tests::fuzz::assert_well_formed;

/// Every corpus file with its text, read once.
fn corpus() -> &'static [(PathBuf, String)] {
    static FILES: OnceLock<Vec<(PathBuf, String)>> = OnceLock::new();
    FILES.get_or_init(|| {
        corpus_files()
            .into_iter()
            .map(|f| {
                let text = std::fs::read_to_string(&f.full_path).expect("corpus file");
                (f.full_path, text)
            })
            .collect()
    })
}

#[derive(Clone, Debug)]
enum Mutation {
    Insert(f64, String),
    Delete(f64, usize),
    Truncate(f64),
    SwapTokens(usize, usize),
}

fn snippet() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "{",
            "}",
            "(",
            ")",
            "<",
            ">",
            "[",
            "]",
            ":",
            ";",
            ",",
            "=",
            "\"",
            "'",
            "/*",
            "*/",
            "//",
            "#",
            "/**",
            "\n",
            "-",
            "0x",
            "99999999999999999999",
            "1:",
            "-1:",
            "struct",
            "union",
            "enum",
            "include \"x.thrift\"",
            "typedef",
            "const",
            "service",
            "oneway",
            "throws",
            "extends",
            "required",
            "optional",
            "map<",
            "list<",
            "set<",
            "i32",
            "uuid",
            "é",
            "\u{FEFF}",
            "\\",
        ])
        .prop_map(str::to_owned),
        "[ -~]{0,12}",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (0.0..1.0f64, snippet()).prop_map(|(at, s)| Mutation::Insert(at, s)),
        2 => (0.0..1.0f64, 1..40usize).prop_map(|(at, n)| Mutation::Delete(at, n)),
        1 => (0.0..1.0f64).prop_map(Mutation::Truncate),
        2 => (0..4000usize, 0..4000usize).prop_map(|(a, b)| Mutation::SwapTokens(a, b)),
    ]
}

/// The char boundary nearest below `fraction` of the text.
fn position(text: &str, fraction: f64) -> usize {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let mut at = ((text.len() as f64) * fraction) as usize;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &str, mutation: &Mutation) -> String {
    match mutation {
        Mutation::Insert(at, s) => {
            let at = position(text, *at);
            format!("{}{s}{}", &text[..at], &text[at..])
        }
        Mutation::Delete(at, n) => {
            let start = position(text, *at);
            let end = text[start..]
                .char_indices()
                .nth(*n)
                .map_or(text.len(), |(i, _)| start + i);
            format!("{}{}", &text[..start], &text[end..])
        }
        Mutation::Truncate(at) => text[..position(text, *at)].to_owned(),
        Mutation::SwapTokens(a, b) => {
            let mut tokens: Vec<&str> = text.split(' ').collect();
            let len = tokens.len();
            tokens.swap(a % len, b % len);
            tokens.join(" ")
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_get_diagnostics_not_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        assert_well_formed(Path::new("random.thrift"), text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_corpus_files_get_diagnostics_not_panics(
        file in 0..189usize,
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let files = corpus();
        let (path, text) = &files[file % files.len()];
        let mutated = mutations.iter().fold(text.clone(), |t, m| apply(&t, m));
        assert_well_formed(path, mutated);
    }
}
