// The newer IDL of tests/tests/unknown_fields.rs: what a proxy built from evolution_v1.thrift
// does not know, in every wire type Apache 0.17 has, nested, and a union variant.

enum Mood {
  CALM = 1,
  HAPPY = 2,
}

struct Inner {
  1: i32 a,
  2: string added_text,
  3: bool added_flag,
}

union Choice {
  1: i32 number,
  2: string added_word,
}

struct Record {
  1: i32 id,
  2: Inner inner,
  3: Choice choice,
  10: bool flag_true,
  11: bool flag_false,
  12: byte a_byte,
  13: i16 a_i16,
  14: i32 a_i32,
  15: i64 a_i64,
  16: double a_double,
  17: string a_string,
  18: binary a_binary,
  19: Inner a_struct,
  20: list<bool> bools,
  21: set<string> words,
  22: map<i32, Inner> by_id,
  23: list<list<i64>> nested,
  24: Mood mood,
  25: Choice a_union,
  26: map<string, bool> flags,
  27: set<Inner> inners,
}
