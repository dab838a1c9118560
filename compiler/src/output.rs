//! Output stage: generated tokens → formatted files. Each module is parsed back with `syn` and
//! printed with prettyplease, under an `// @generated` header; files are sorted and their
//! contents depend only on the input, and [`Generated::write`] touches a file only when its
//! contents change, so cargo does not rebuild for nothing.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use syn::parse::Parser;

use crate::codegen::Context;
use crate::config::{Config, Error};
use crate::ir::{Ident, Program, ServiceId};
use crate::naming::Names;
use crate::syntax::ast::Annotation;
use crate::Checked;

/// The module tree, behind both `#[path = "…/mod.rs"] mod idl;` and `include_idl!()`.
pub const MOD_FILE: &str = "mod.rs";

/// The names `include_idl!("…")` knows, as a macro that includes the module named (see
/// [`lookup`]).
pub const LOOKUP_FILE: &str = "include_idl.rs";

/// The result of [`Config::generate`].
#[derive(Clone, Debug)]
pub struct Generated {
    /// One file per IDL file at its module path (`chat.rs`, `transit/buses.rs`) and
    /// [`MOD_FILE`] mounting them all; sorted by name.
    pub files: Vec<GeneratedFile>,
    /// Every IDL file read, for `cargo:rerun-if-changed`.
    pub inputs: Vec<PathBuf>,
    /// Warnings about the IDL, rendered (empty if none).
    pub warnings: String,
}

/// One generated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// The path relative to the output directory, with `/` separators.
    pub name: String,
    /// The Rust source.
    pub contents: String,
}

impl Generated {
    /// Writes every file into `dir` (created if needed), skipping files whose contents on disk
    /// are already the same.
    pub fn write(&self, dir: &Path) -> Result<(), Error> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| Error::Io { path, source }
        };
        for file in &self.files {
            let path = dir.join(&file.name);
            if std::fs::read(&path).is_ok_and(|old| old == file.contents.as_bytes()) {
                continue;
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            std::fs::write(&path, &file.contents).map_err(io(&path))?;
        }
        Ok(())
    }
}

/// `program` with what `config` says of its services applied: the pairings of
/// [`Config::callback`] and the functions of [`Config::idempotent`].
fn configured<'p>(program: &'p Program, config: &Config) -> Result<Cow<'p, Program>, Error> {
    if config.callbacks.is_empty() && config.idempotent.is_empty() {
        return Ok(Cow::Borrowed(program));
    }
    let mut out = program.clone();
    for (service, callback) in &config.callbacks {
        let unknown = |path: &str| Error::UnknownService {
            path: path.to_owned(),
        };
        let callback = find_service(program, callback).ok_or_else(|| unknown(callback))?;
        let service = find_service(program, service).ok_or_else(|| unknown(service))?;
        out.services[service].callback = Some(ServiceId::from_index(callback));
    }
    for path in &config.idempotent {
        let function = path.rsplit_once('.').and_then(|(service, function)| {
            let service = find_service(program, service)?;
            let found = program.services[service]
                .functions
                .iter()
                .position(|f| f.name.name == function)?;
            Some((service, found))
        });
        let (service, function) =
            function.ok_or_else(|| Error::UnknownFunction { path: path.clone() })?;
        let function = &mut out.services[service].functions[function];
        function.meta.annotations.push(Annotation {
            key: Ident {
                name: crate::resolve::IDEMPOTENT_ANNOTATION.to_owned(),
                span: function.span,
            },
            value: None,
            span: function.span,
        });
    }
    Ok(Cow::Owned(out))
}

/// The index of the service `path` (`module.Service`) names.
fn find_service(program: &Program, path: &str) -> Option<usize> {
    program.services.iter().position(|s| {
        let module = &program.files[s.file.index()].module;
        path.strip_prefix(module.as_str())
            .and_then(|rest| rest.strip_prefix('.'))
            == Some(s.name.name.as_str())
    })
}

/// Generates every module of a checked program (which must have no errors).
pub(crate) fn generate(checked: &Checked, config: &Config) -> Result<Generated, Error> {
    let paired = configured(&checked.program, config)?;
    let (program, messages) = crate::codegen::messages::desugar(&paired);
    let names = Names::new(&paired).with_messages(&paired, &messages);
    let cx = Context::new(&program, names, messages, config)?;
    let mut modules = Vec::new();
    for file in &checked.program.files {
        let module = cx.module(file.id).to_vec();
        let mut syntax =
            syn::parse2::<syn::File>(cx.generate_file(file.id)).map_err(|e| Error::Internal {
                module: module.join("::"),
                reason: e.to_string(),
            })?;
        allow_lints(&mut syntax);
        let path = checked.sources.get(file.id).path();
        let contents = format!(
            "// @generated by thrift-bidi-build from {}. Do not edit.\n\n{}",
            path.file_name()
                .unwrap_or(path.as_os_str())
                .to_string_lossy(),
            prettyplease::unparse(&syntax).replace(ALLOWS_MARK, ALLOWS)
        );
        modules.push((module, contents));
    }
    let mut keys: Vec<(String, &[String])> = Vec::new();
    for (file, (module, _)) in checked.program.files.iter().zip(&modules) {
        let source = checked.sources.get(file.id);
        let name = source
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        let written = [
            Some(source.name().to_owned()),
            name,
            Some(file.module.clone()),
        ];
        keys.extend(
            written
                .into_iter()
                .flatten()
                .map(|k| (k, module.as_slice())),
        );
    }
    let lookup_file = GeneratedFile {
        name: LOOKUP_FILE.into(),
        contents: lookup(keys),
    };
    modules.sort();
    let paths: Vec<&[String]> = modules.iter().map(|(m, _)| m.as_slice()).collect();
    let mod_file = GeneratedFile {
        name: MOD_FILE.into(),
        contents: tree(&paths),
    };
    let mut files: Vec<GeneratedFile> = modules
        .into_iter()
        .map(|(module, contents)| GeneratedFile {
            name: file_name(&module),
            contents,
        })
        .collect();
    files.push(mod_file);
    files.push(lookup_file);
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let mut inputs: Vec<PathBuf> = checked
        .sources
        .iter()
        .map(|(_, f)| f.path().to_owned())
        .collect();
    inputs.sort();
    let warnings = if checked.diagnostics.is_empty() {
        String::new()
    } else {
        checked.render(false)
    };
    Ok(Generated {
        files,
        inputs,
        warnings,
    })
}

/// The macro behind `include_idl!("…")`: it includes the file of the module named by its path
/// (`"transit/buses"` or `"transit::buses"`), or by the IDL file it comes from, as written in
/// `build.rs` (`"idl/Buses.thrift"`), by file name (`"Buses.thrift"`) or by stem (`"Buses"`),
/// where that names one module; any other name is a compile error listing the modules.
fn lookup(files: Vec<(String, &[String])>) -> String {
    // Each name with the modules it may mean; one that means two is left out.
    let mut keys: BTreeMap<String, BTreeSet<&[String]>> = BTreeMap::new();
    for (key, module) in files {
        let plain = module.join("/").replace("r#", "");
        for key in [plain, module.join("::"), key] {
            keys.entry(key).or_default().insert(module);
        }
    }
    let mut out = String::from(
        "// @generated by thrift-bidi-build. Do not edit.\n\
         #[doc(hidden)]\n\
         #[allow(unused_macros)]\n\
         macro_rules! __thrift_bidi_include_idl {\n",
    );
    let mut listed = BTreeSet::new();
    for (key, modules) in &keys {
        listed.extend(modules.iter().map(|m| m.join("::")));
        let mut meanings = modules.iter();
        let (Some(module), None) = (meanings.next(), meanings.next()) else {
            continue;
        };
        let file = file_name(module);
        let _ = writeln!(
            out,
            "    ({key:?}) => {{ include!(concat!(env!(\"OUT_DIR\"), \"/{file}\")); }};"
        );
    }
    let message = format!(
        "include_idl!: no generated module has this name; the modules are {}",
        listed
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        out,
        "    ($other:tt) => {{ compile_error!(concat!({message:?}, \" (asked for \", \
         stringify!($other), \")\")); }};\n}}"
    );
    out
}

/// Where a module's file goes: `transit/buses.rs`.
fn file_name(module: &[String]) -> String {
    let plain: Vec<&str> = module.iter().map(|m| m.trim_start_matches("r#")).collect();
    format!("{}.rs", plain.join("/"))
}

/// The lints generated code may trip in a user's crate, whatever it uses of it and however
/// strict its settings: unused items, IDL spellings kept for Rust names, missing rustdoc where
/// the IDL has no doc comment, and clippy's opinions on code no one edits. On every top-level
/// module, so they cover the tree below it.
const ALLOWS: &str = "#[allow(dead_code, unused_imports, unused_qualifications, missing_docs, \
    non_camel_case_types, non_snake_case, non_upper_case_globals, unreachable_pub, \
    rustdoc::all, clippy::all, clippy::pedantic, clippy::nursery, clippy::restriction)]";

/// Stands for [`ALLOWS`] until the code is formatted, so that it stays on one line.
const ALLOWS_MARK: &str = "#[allow(__thrift_bidi_lints)]";

/// Marks every item of a module for [`ALLOWS`], so a module mounted alone
/// (`include_idl!("chat")`) is as quiet as the whole tree.
fn allow_lints(file: &mut syn::File) {
    let Ok(allows) = syn::Attribute::parse_outer.parse_str(ALLOWS_MARK) else {
        return;
    };
    for item in &mut file.items {
        let attrs = match item {
            syn::Item::Struct(i) => &mut i.attrs,
            syn::Item::Enum(i) => &mut i.attrs,
            syn::Item::Impl(i) => &mut i.attrs,
            syn::Item::Trait(i) => &mut i.attrs,
            syn::Item::Fn(i) => &mut i.attrs,
            syn::Item::Const(i) => &mut i.attrs,
            syn::Item::Static(i) => &mut i.attrs,
            syn::Item::Type(i) => &mut i.attrs,
            syn::Item::Mod(i) => &mut i.attrs,
            _ => continue,
        };
        attrs.splice(0..0, allows.iter().cloned());
    }
}

/// The module tree: an inline `pub mod` per module path segment, each including its file by
/// a path relative to this one. The same text works mounted with `#[path = "…/mod.rs"]` and
/// included with `include!`, and a module can hold both its file and child modules.
fn tree(modules: &[&[String]]) -> String {
    let mut out = String::from("// @generated by thrift-bidi-build. Do not edit.\n");
    nest(modules, 0, &mut out);
    out
}

/// Writes the modules of `modules` (sorted, sharing their first `depth` segments) one level
/// below `depth`.
fn nest(modules: &[&[String]], depth: usize, out: &mut String) {
    let indent = "    ".repeat(depth);
    let mut rest = modules;
    while let Some(first) = rest.first() {
        let name = &first[depth];
        let group = rest.iter().take_while(|m| &m[depth] == name).count();
        let (own, children) = rest[..group].split_at(usize::from(first.len() == depth + 1));
        if depth == 0 {
            let _ = writeln!(out, "{ALLOWS}");
        }
        let _ = writeln!(out, "{indent}pub mod {name} {{");
        if let Some(module) = own.first() {
            let _ = writeln!(out, "{indent}    include!(\"{}\");", file_name(module));
        }
        nest(children, depth + 1, out);
        let _ = writeln!(out, "{indent}}}");
        rest = &rest[group..];
    }
}
