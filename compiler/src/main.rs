//! The `thrift-bidi` command line.
use thrift_bidi_build::{diagnostics::render, source::SourceMap, syntax};

fn main() -> anyhow::Result<()> {
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path)?;
        let mut map = SourceMap::new();
        let id = map.add(path.clone().into(), path.clone(), text.clone());
        let parsed = syntax::parse(id, &text);
        print!("{}", render::text(&map, &parsed.diagnostics, false));
        println!("{path}: {}", parsed.document.is_some());
    }
    Ok(())
}
