//! What the front end makes of valid IDL: doc comments, enum values, evaluated constants,
//! includes with dotted module names, recursive fields marked for boxing. Expected values are
//! read off `tests/fixtures/valid/features.thrift`.

use thrift_bidi_build::check_files;
use thrift_bidi_build::ir::{ConstValue, Item, Program, Type};

fn features() -> Program {
    let checked = check_files(&["tests/fixtures/valid/features.thrift".into()], &[]);
    assert!(checked.diagnostics.is_empty(), "{}", checked.render(false));
    checked.program
}

fn struct_named<'p>(program: &'p Program, name: &str) -> &'p thrift_bidi_build::ir::Struct {
    program
        .structs
        .iter()
        .find(|s| s.name.name == name)
        .expect("struct exists")
}

#[test]
fn doc_comments_attach_to_what_follows_them() {
    let program = features();
    assert_eq!(program.files[0].doc.as_deref(), Some("The file's own doc."));
    let node = struct_named(&program, "Node");
    assert_eq!(
        node.meta.doc.as_deref(),
        Some("A node of a linked list.\nIt holds itself.")
    );
    assert_eq!(node.fields[0].meta.doc.as_deref(), Some("The payload."));
    assert_eq!(node.fields[1].meta.doc, None);
    let base = program
        .services
        .iter()
        .find(|s| s.name.name == "Base")
        .expect("Base");
    assert_eq!(
        base.functions[0].meta.doc.as_deref(),
        Some("Checks liveness.")
    );
}

#[test]
fn enum_values_count_on_from_the_last_explicit_one() {
    let program = features();
    let values: Vec<(&str, i32)> = program.enums[0]
        .members
        .iter()
        .map(|m| (m.name.name.as_str(), m.value))
        .collect();
    assert_eq!(
        values,
        [("LOW", 0), ("MID", 10), ("HIGH", 11), ("NEG", -16)]
    );
}

#[test]
fn constants_are_evaluated_against_their_types() {
    let program = features();
    let value = |name: &str| {
        &program
            .consts
            .iter()
            .find(|c| c.name.name == name)
            .expect("const")
            .value
    };
    assert_eq!(value("BIG"), &ConstValue::Int(i64::MAX));
    assert_eq!(value("RATIO"), &ConstValue::Double(3.0));
    let level = thrift_bidi_build::ir::EnumId(0);
    assert_eq!(value("DEFAULT_LEVEL"), &ConstValue::Enum(level, 11));
    assert_eq!(
        value("LEVELS"),
        &ConstValue::List(vec![
            ConstValue::Enum(level, 0),
            ConstValue::Enum(level, 11)
        ])
    );
    let money = program
        .structs
        .iter()
        .position(|s| s.name.name == "Money")
        .expect("Money");
    let expected_money = ConstValue::Struct(
        thrift_bidi_build::ir::StructId(money.try_into().expect("small")),
        vec![(0, ConstValue::Int(5))],
    );
    assert_eq!(
        value("PRICES"),
        &ConstValue::Map(vec![(ConstValue::String("a".into()), expected_money)])
    );
}

#[test]
fn includes_resolve_by_file_name_even_with_dots() {
    let program = features();
    assert_eq!(program.files.len(), 2);
    assert_eq!(program.files[1].module, "shared.types");
    assert_eq!(program.files[0].includes, [program.files[1].id]);
    assert_eq!(program.files[0].namespace("rs"), Some("features"));
    assert_eq!(program.files[0].namespace("java"), Some("generic.features"));
    let prices = program
        .typedefs
        .iter()
        .find(|t| t.name.name == "Prices")
        .expect("Prices");
    let Type::Map(_, value) = &prices.target else {
        panic!("Prices is a map")
    };
    assert!(
        matches!(**value, Type::Struct(id) if program.structs[id.index()].name.name == "Money")
    );
}

#[test]
fn fields_that_contain_their_own_struct_are_boxed() {
    let program = features();
    let node = struct_named(&program, "Node");
    let boxed: Vec<bool> = node.fields.iter().map(|f| f.boxed).collect();
    // `next` holds a Node inline; `children` is a list, already on the heap.
    assert_eq!(boxed, [false, true, false]);
    assert!(struct_named(&program, "Left").fields[0].boxed);
    assert!(struct_named(&program, "Right").fields[0].boxed);
}

#[test]
fn services_know_their_base_and_callback() {
    let program = features();
    let base = program
        .services
        .iter()
        .position(|s| s.name.name == "Base")
        .expect("Base");
    let api = program
        .services
        .iter()
        .find(|s| s.name.name == "Api")
        .expect("Api");
    assert_eq!(
        api.extends.map(thrift_bidi_build::ir::ServiceId::index),
        Some(base)
    );
    assert_eq!(
        api.callback.map(thrift_bidi_build::ir::ServiceId::index),
        Some(base)
    );
    assert!(api.functions[0].oneway.is_some());
    assert_eq!(
        api.functions[0]
            .meta
            .annotation("rs.hint")
            .and_then(|a| a.value.as_ref())
            .map(|v| v.value.as_str()),
        Some("hot")
    );
    let items = &program.files[0].items;
    assert!(matches!(items[0], Item::Struct(_)) && matches!(items.last(), Some(Item::Service(_))));
}
