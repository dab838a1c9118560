/** Recursive types, which Apache 0.17 cannot generate for Rust. */
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
