"""THeader golden vectors from Apache's Python library (the version the venv pins), and
Apache's reading of frames we write; used by tests/tests/wire_header.rs.

Usage:
  header_vectors.py record GEN_PY > tests/vectors/header.txt
      Each line is `NAME<TAB>HEX`: the bytes Apache's Python client writes for
      ThriftTest.testString("hello") in the setting NAME names.
  header_vectors.py read GEN_PY < frames
      Each stdin line is a hex frame of a testString call; each stdout line is what Apache's
      server side reads from it, as JSON: client type, protocol id, headers, method, seqid
      and argument.
  header_vectors.py read-reply GEN_PY < frames
      The same for frames of testString replies, read by Apache's client side.
"""

import json
import sys

sys.path.insert(0, sys.argv[2])

from ThriftTest import ThriftTest  # noqa: E402
from thrift.protocol.THeaderProtocol import THeaderProtocol  # noqa: E402
from thrift.transport.THeaderTransport import (  # noqa: E402
    THeaderClientType,
    THeaderSubprotocolID,
    THeaderTransformID,
)
from thrift.transport.TTransport import TMemoryBuffer  # noqa: E402

ALL_CLIENT_TYPES = [
    THeaderClientType.HEADERS,
    THeaderClientType.FRAMED_BINARY,
    THeaderClientType.UNFRAMED_BINARY,
    THeaderClientType.FRAMED_COMPACT,
    THeaderClientType.UNFRAMED_COMPACT,
]

SETTINGS = {
    "binary": (THeaderSubprotocolID.BINARY, {}, False),
    "compact": (THeaderSubprotocolID.COMPACT, {}, False),
    "binary-headers": (THeaderSubprotocolID.BINARY, {b"user": b"alice", b"trace": b"t-1"}, False),
    "compact-headers": (THeaderSubprotocolID.COMPACT, {b"k": b"", b"": b"v"}, False),
    "binary-zlib": (THeaderSubprotocolID.BINARY, {}, True),
    "compact-zlib-headers": (THeaderSubprotocolID.COMPACT, {b"user": b"bob"}, True),
}


def record():
    for name, (protocol_id, headers, zlib) in SETTINGS.items():
        out = TMemoryBuffer()
        protocol = THeaderProtocol(out, ALL_CLIENT_TYPES, default_protocol=protocol_id)
        for key, value in headers.items():
            protocol.set_header(key, value)
        if zlib:
            protocol.add_transform(THeaderTransformID.ZLIB)
        client = ThriftTest.Client(protocol)
        client._seqid = 1  # the first sequence id of ours (Apache's Python client sends 0)
        client.send_testString("hello")
        print(f"{name}\t{out.getvalue().hex()}")


def read(body):
    for line in sys.stdin:
        try:
            protocol = THeaderProtocol(TMemoryBuffer(bytes.fromhex(line.strip())), ALL_CLIENT_TYPES)
            name, _, seqid = protocol.readMessageBegin()
            args = body()
            args.read(protocol)
            protocol.readMessageEnd()
            transport = protocol.trans
            answer = {
                "client_type": transport._client_type,
                "protocol_id": transport.protocol_id,
                "headers": {k.decode(): v.decode() for k, v in transport.get_headers().items()},
                "method": name,
                "seqid": seqid,
                "thing": getattr(args, "thing", None) or getattr(args, "success", None),
            }
        except Exception as error:  # reported to the Rust test, which fails on it
            answer = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(answer, sort_keys=True))
        sys.stdout.flush()


{
    "record": record,
    "read": lambda: read(ThriftTest.testString_args),
    "read-reply": lambda: read(ThriftTest.testString_result),
}[sys.argv[1]]()
