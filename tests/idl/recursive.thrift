/** Recursive types and uuid, which Apache 0.17 cannot generate for Rust. */
namespace rs recursive

struct Tree {
  1: string label,
  2: list<Tree> children,
  3: Tree parent_copy,
}

struct Ping {
  1: optional Pong pong,
}

struct Pong {
  1: required Ping ping,
}

union Expr {
  1: i64 literal,
  2: Expr negate,
  3: list<Expr> sum,
}

struct Tagged {
  1: uuid id,
  2: optional uuid parent,
  3: set<uuid> members,
}

const uuid NIL_ID = "00000000-0000-0000-0000-000000000000"
const uuid SOME_ID = "{61626364-6566-6768-696a-6b6c6d6e6f70}"
