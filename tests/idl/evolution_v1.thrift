// The older IDL of tests/tests/unknown_fields.rs, generated with keep_unknown_fields: a proxy
// that knows only these fields of evolution_v2.thrift's types.

struct Inner {
  1: i32 a,
}

union Choice {
  1: i32 number,
}

struct Record {
  1: i32 id,
  2: Inner inner,
  3: Choice choice,
}
