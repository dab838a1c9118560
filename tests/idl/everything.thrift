/**
 * Every field type, requiredness and default, for wire tests against Apache's generated code.
 * Kept to what Apache 0.17 generates correctly for Rust: no uuid, no recursion (see
 * recursive.thrift), and no negative field ids (its generated reader matches `-5` with the
 * binding pattern `neg5`, which swallows every field; the protocol-level oracle tests cover
 * negative ids).
 */
namespace rs everything

enum Color {
  RED = 1,
  GREEN = 2,
  BLUE = 4,
}

struct Point {
  1: required i32 x,
  2: required i32 y,
}

union Shape {
  1: Point point,
  2: list<Point> polygon,
  3: string name,
  4: double radius,
}

struct Everything {
  1: bool a_bool,
  2: i8 a_byte,
  3: i16 an_i16,
  4: i32 an_i32,
  5: i64 an_i64,
  6: double a_double,
  7: string a_string,
  8: binary a_binary,
  9: Color a_color,
  10: Point a_point,
  11: Shape a_shape,
  12: list<i64> ints,
  13: set<string> strings,
  14: map<string, Point> points,
  15: list<map<i32, set<i16>>> nested,
  16: map<Color, list<double>> by_color,
  17: optional i32 maybe_int,
  18: optional string maybe_string,
  19: optional Point maybe_point,
  20: required string must,
  21: list<bool> flags,
  22: set<binary> blobs,
  23: optional list<Shape> shapes,
  300: bool far_bool,
}

const i32 ANSWER = 42
const string GREETING = "hello"
const list<Color> PRIMARY = [Color.RED, Color.GREEN, Color.BLUE]
const map<string, Point> ORIGINS = {"zero": {"x": 0, "y": 0}, "one": {"x": 1, "y": -1}}

struct Defaults {
  1: i32 count = 7,
  2: string label = "none",
  3: Color color = Color.GREEN,
  4: optional list<i32> primes = [2, 3, 5],
  5: Point origin = {"x": 1, "y": 2},
  6: double ratio = 0.5,
}

exception Failure {
  1: i32 code,
  2: string message,
}
