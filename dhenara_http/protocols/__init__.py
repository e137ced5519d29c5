"""Wire protocols: one sans-I/O module per protocol, loaded only when a call needs it.

Every module offers the same functions (see :mod:`dhenara_http.protocols.base`): ``build_request``,
``parse_response``, ``parse_error`` and an ``Accumulator`` class for streams. None imports httpx or another protocol.
"""
