"""The errors a call or a connection raises.

Input: what went wrong on a connection. Output: one exception class per kind, so callers can
tell a call that timed out (the connection goes on) from a connection that is gone.
"""

from __future__ import annotations


class ThriftBidiError(Exception):
    """Base of the errors this library raises (declared IDL exceptions and
    `TApplicationException` are raised as thriftpy2 gives them)."""


class Disconnected(ThriftBidiError):
    """The connection closed before the reply came (or was closed already)."""


class Unavailable(ThriftBidiError):
    """A call back to a client that did not say hello: a plain Thrift client, which cannot
    take calls."""


class Timeout(ThriftBidiError, TimeoutError):
    """No reply within the call's timeout. The connection goes on: a late reply is dropped."""


class ProtocolError(ThriftBidiError):
    """The peer sent something that is not a well-formed message within the limits; the
    connection is closed."""


class FrameTooLarge(ProtocolError):
    """A message longer than `max_frame` bytes (or claiming to be)."""
