"""thrift-bidi for Python: bidirectional Thrift services on thriftpy2. A server calls back
into the clients connected to it, over the same connection, and a client's calls are
pipelined from any number of threads or tasks. The wire rules are the Rust runtime's
(`docs/bidi.md`), so Python and Rust peers mix.

`thrift_bidi.aio` is the asyncio API; `thrift_bidi.sync` the threaded one.
"""

from .aio import Callbacks
from .connection import SERVER_LIMITS, Limits
from .scan import Bounds
from .errors import Disconnected, FrameTooLarge, ProtocolError, ThriftBidiError, Timeout, Unavailable
from .wire import Codec

__all__ = [
    "Bounds",
    "Callbacks",
    "Codec",
    "Disconnected",
    "FrameTooLarge",
    "Limits",
    "ProtocolError",
    "SERVER_LIMITS",
    "ThriftBidiError",
    "Timeout",
    "Unavailable",
]
