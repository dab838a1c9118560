//! The compiler front end (parse, resolve, check; no code generation) over the whole IDL
//! corpus, one root file at a time with its include paths, as `thrift --gen rs` is run by
//! `scripts/bench-frontend.sh`, which also times Apache's compiler over the same files.

use thrift_bidi_tests::corpus_files;

fn main() {
    divan::main();
}

/// All 189 corpus files, each checked as a root with everything it includes.
#[divan::bench(sample_count = 20)]
fn whole_corpus(bencher: divan::Bencher) {
    let files = corpus_files();
    bencher.bench(|| {
        let mut diagnostics = 0;
        for file in &files {
            let checked = thrift_bidi_build::check_files(
                std::slice::from_ref(&file.full_path),
                &file.include_dirs,
            );
            diagnostics += checked.diagnostics.len();
        }
        divan::black_box(diagnostics)
    });
}
