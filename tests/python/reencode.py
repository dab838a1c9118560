"""Decodes and re-encodes Thrift structs with Python's Thrift stacks: the second oracle of the
wire tests (tests/tests/wire_python.rs).

Each stdin line is `IDL_PATH TYPE PROTOCOL HEX`; each stdout line is the re-encoded HEX, or
`error: ...` when the input cannot be decoded. Types are loaded from the IDL by thriftpy2,
except
- `apache:NAME`: thriftpy2 0.7 has no uuid, so those are read by Apache's `thrift` library
  (0.25, which has) from a struct description written here, as its `py:dynamic` generator
  would write it;
- `gen-py:MODULE.NAME`: Apache's generated Python (`thrift --gen py`) in the directory given
  as IDL_PATH, read and written by Apache's library.
PROTOCOL is `binary` or `compact`, or `json` (Apache's TJSONProtocol; Apache types only).
"""

import importlib
import sys

import thriftpy2
from thriftpy2.protocol.binary import TBinaryProtocolFactory
from thriftpy2.protocol.compact import TCompactProtocolFactory
from thriftpy2.transport import TMemoryBuffer

from thrift.protocol import TBinaryProtocol as ApacheBinary
from thrift.protocol import TCompactProtocol as ApacheCompact
from thrift.protocol import TJSONProtocol as ApacheJson
from thrift.Thrift import TType
from thrift.transport import TTransport

FACTORIES = {"binary": TBinaryProtocolFactory(), "compact": TCompactProtocolFactory()}
APACHE = {
    "binary": ApacheBinary.TBinaryProtocolFactory(),
    "compact": ApacheCompact.TCompactProtocolFactory(),
    "json": ApacheJson.TJSONProtocolFactory(),
}
# uuids.thrift's `Tagged`: (id, type, name, type arguments, default) by field id.
APACHE_SPECS = {
    "Tagged": (
        None,
        (1, TType.UUID, "id", None, None),
        (2, TType.UUID, "parent", None, None),
        (3, TType.SET, "members", (TType.UUID, None, False), None),
    ),
}
modules = {}


class Dynamic:
    """A struct of Apache's generic reader and writer: attributes named by its spec."""

    def __init__(self, spec):
        for field in spec:
            if field is not None:
                setattr(self, field[2], None)


def reencode_apache(type_name, protocol, hex_input):
    spec = APACHE_SPECS[type_name]
    value = Dynamic(spec)
    factory = APACHE[protocol]
    factory.getProtocol(TTransport.TMemoryBuffer(bytes.fromhex(hex_input))).readStruct(value, spec)
    out = TTransport.TMemoryBuffer()
    factory.getProtocol(out).writeStruct(value, spec)
    return out.getvalue().hex()


def reencode_generated(gen_py, type_name, protocol, hex_input):
    if gen_py not in sys.path:
        sys.path.insert(0, gen_py)
    module, name = type_name.rsplit(".", 1)
    value = getattr(importlib.import_module(module + ".ttypes"), name)()
    factory = APACHE[protocol]
    value.read(factory.getProtocol(TTransport.TMemoryBuffer(bytes.fromhex(hex_input))))
    out = TTransport.TMemoryBuffer()
    value.write(factory.getProtocol(out))
    return out.getvalue().hex()


def reencode(idl, type_name, protocol, hex_input):
    if type_name.startswith("apache:"):
        return reencode_apache(type_name[len("apache:"):], protocol, hex_input)
    if type_name.startswith("gen-py:"):
        return reencode_generated(idl, type_name[len("gen-py:"):], protocol, hex_input)
    if idl not in modules:
        name = idl.rsplit("/", 1)[-1].replace(".thrift", "_thrift")
        modules[idl] = thriftpy2.load(idl, module_name=name)
    value = getattr(modules[idl], type_name)()
    factory = FACTORIES[protocol]
    value.read(factory.get_protocol(TMemoryBuffer(bytes.fromhex(hex_input))))
    out = TMemoryBuffer()
    value.write(factory.get_protocol(out))
    return out.getvalue().hex()


for line in sys.stdin:
    idl, type_name, protocol, hex_input = line.split()
    try:
        print(reencode(idl, type_name, protocol, hex_input))
    except Exception as error:  # reported to the Rust test, which fails on it
        print(f"error: {type(error).__name__}: {error}")
    sys.stdout.flush()
