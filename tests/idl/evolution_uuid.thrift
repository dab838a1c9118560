// The newer IDL of tests/tests/unknown_fields.rs for the one wire type Apache 0.17 lacks:
// uuids (ours only; `Record` here is evolution_v1's `Record` plus uuid fields).

struct Record {
  1: i32 id,
  30: uuid tag,
  31: list<uuid> tags,
  32: map<uuid, bool> seen,
}
