"""Records golden vectors of Apache's TJSONProtocol from Apache's Python library (the version
the venv pins): tests/vectors/json.txt, replayed by tests/tests/wire_json.rs.

Usage: json_vectors.py GEN_PY_DIR > tests/vectors/json.txt

Each line is `NAME<TAB>TEXT`: what Apache's Python writes for the value the Rust test builds
under the same NAME. Names starting with `python-only` are where Python's output is not what
C++ writes (bare special doubles, raw control characters): the Rust test only reads those.
"""

import math
import sys

sys.path.insert(0, sys.argv[1])

from everything.ttypes import Color, Everything, Point, Shape  # noqa: E402
from thrift.protocol.TJSONProtocol import TJSONProtocol  # noqa: E402
from thrift.Thrift import TApplicationException, TMessageType  # noqa: E402
from thrift.transport.TTransport import TMemoryBuffer  # noqa: E402


def everything(**fields):
    """An Everything as the Rust test's `Everything { .., ..Default::default() }`: every field
    without `optional` set (Apache's Python writes only the fields that are not None)."""
    defaults = dict(
        a_bool=False, a_byte=0, an_i16=0, an_i32=0, an_i64=0, a_double=0.0, a_string="",
        a_binary=b"", a_color=Color.RED, a_point=Point(x=0, y=0), ints=[], strings=set(),
        points={}, nested=[], by_color={}, must="", flags=[], blobs=set(), far_bool=False,
    )
    defaults.update(fields)
    return Everything(**defaults)


def encode(value):
    out = TMemoryBuffer()
    value.write(TJSONProtocol(out))
    return out.getvalue()


def message(name, kind, seqid, body):
    out = TMemoryBuffer()
    protocol = TJSONProtocol(out)
    protocol.writeMessageBegin(name, kind, seqid)
    body.write(protocol)
    protocol.writeMessageEnd()
    return out.getvalue()


def vectors():
    yield "message-call", message("testStruct", TMessageType.CALL, 7, Point(x=1, y=-2))
    failure = TApplicationException(TApplicationException.UNKNOWN_METHOD, "no such method")
    yield "message-exception", message("nothing", TMessageType.EXCEPTION, 2**31 - 1, failure)
    yield "everything-default", encode(everything())
    yield "everything-full", encode(Everything(
        a_bool=True,
        a_byte=-128,
        an_i16=-32768,
        an_i32=2**31 - 1,
        an_i64=-2**63,
        a_double=0.1,
        a_string='quote " backslash \\ slash / tab \t é € 😀',
        a_binary=b"\xfb\xff\x00",
        a_color=Color.GREEN,
        a_point=Point(x=0, y=-1),
        a_shape=Shape(polygon=[Point(x=1, y=2), Point(x=3, y=4)]),
        ints=[1, -2, 2**62],
        strings={"only"},
        points={"": Point(x=7, y=8), "p": Point(x=5, y=6)},
        nested=[{-1: {3}}, {}],
        by_color={Color.RED: [], Color.BLUE: [2.0, -0.0]},
        maybe_int=0,
        maybe_string="",
        maybe_point=Point(x=9, y=10),
        must="m",
        flags=[True, False],
        blobs={b""},
        shapes=[Shape(radius=1e300), Shape(name="n")],
        far_bool=False,
    ))
    for i, radius in enumerate([1e17, 5e-324, -2.5, 0.0001, 1e-05, 123456789.125, -0.0, 0.1]):
        yield f"double-{i}", encode(Shape(radius=radius))
    for length in range(6):
        binary = bytes([0xfb, 0xff, 0, 0x10, 0x80])[:length]
        yield f"binary-{length}", encode(everything(a_binary=binary))
    for i, text in enumerate(['"\\/', "\b\f\n\r\t", "é€", "😀", "\x7f"]):
        yield f"string-{i}", encode(everything(must=text))
    yield "python-only-control", encode(everything(must="\x01\x1f"))
    for i, radius in enumerate([math.inf, -math.inf, math.nan]):
        yield f"python-only-special-{i}", encode(Shape(radius=radius))


for name, text in vectors():
    sys.stdout.buffer.write(name.encode() + b"\t" + text + b"\n")
