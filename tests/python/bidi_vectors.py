"""A golden transcript of one bidirectional session, written with Apache's Python library
(the version the venv pins) as the encoder of every message: the wire rules of
docs/bidi.md, played through by the Rust tests (tests/tests/bidi_transcript.rs) and the Python
library's (python/tests/test_transcript.py), each side of it against each implementation.

Usage:
  bidi_vectors.py record GEN_PY > tests/vectors/bidi.txt
      GEN_PY holds `thrift --gen py` of idl-examples/idl/jobs.thrift. Each line is
      `FROM<TAB>WHAT<TAB>HEX`: `c` for what the client sends, `s` for the server; the frames
      of a framed binary connection, in the order the session goes:

      the client's hello (seqid 1, its callback service JobSource) and the server's answer
      (version 1); the client's checksum("in.txt") (seqid 2); the server's calls back for the
      input while it runs: chunk 0 (its seqid 1), answered "abc", the progress oneway
      (seqid 2), chunk 1 (seqid 3), answered empty; then the checksum's reply, 64-bit FNV-1a
      of "abc" as a signed i64.
"""

import sys

sys.path.insert(0, sys.argv[2])

from jobs import JobSource, Jobs  # noqa: E402
from thrift.protocol.TBinaryProtocol import TBinaryProtocol  # noqa: E402
from thrift.Thrift import TMessageType, TType  # noqa: E402
from thrift.transport.TTransport import TFramedTransport, TMemoryBuffer  # noqa: E402

HELLO = "thrift-bidi.hello"


def fnv1a(data):
    value = 0xCBF29CE484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value - (1 << 64) if value >= 1 << 63 else value


def frame(name, kind, seqid, write):
    """The framed bytes of one message whose body `write` writes."""
    out = TMemoryBuffer()
    protocol = TBinaryProtocol(TFramedTransport(out))
    protocol.writeMessageBegin(name, kind, seqid)
    write(protocol)
    protocol.writeMessageEnd()
    protocol.trans.flush()
    return out.getvalue()


def fields(*values):
    """A struct of (id, type, value) fields, written in order."""

    def write(protocol):
        protocol.writeStructBegin("args")
        for fid, ttype, value in values:
            protocol.writeFieldBegin("f", ttype, fid)
            {TType.I32: protocol.writeI32, TType.I64: protocol.writeI64, TType.STRING: protocol.writeString}[ttype](value)
            protocol.writeFieldEnd()
        protocol.writeFieldStop()
        protocol.writeStructEnd()

    return write


def record():
    call, reply, oneway = TMessageType.CALL, TMessageType.REPLY, TMessageType.ONEWAY
    lines = [
        ("c", "hello", frame(HELLO, call, 1, fields((1, TType.I32, 1), (2, TType.I32, 1), (3, TType.STRING, "JobSource")))),
        ("s", "hello answered", frame(HELLO, reply, 1, fields((0, TType.I32, 1)))),
        ("c", "checksum", frame("checksum", call, 2, Jobs.checksum_args(name="in.txt").write)),
        ("s", "chunk 0", frame("chunk", call, 1, JobSource.chunk_args(name="in.txt", index=0).write)),
        ("c", "chunk 0 answered", frame("chunk", reply, 1, JobSource.chunk_result(success=b"abc").write)),
        ("s", "progress", frame("progress", oneway, 2, JobSource.progress_args(name="in.txt", bytes=3).write)),
        ("s", "chunk 1", frame("chunk", call, 3, JobSource.chunk_args(name="in.txt", index=1).write)),
        ("c", "chunk 1 answered", frame("chunk", reply, 3, JobSource.chunk_result(success=b"").write)),
        ("s", "checksum answered", frame("checksum", reply, 2, Jobs.checksum_result(success=fnv1a(b"abc")).write)),
    ]
    for side, what, data in lines:
        print(f"{side}\t{what}\t{data.hex()}")


if __name__ == "__main__" and sys.argv[1] == "record":
    record()
