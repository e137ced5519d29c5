"""Byte decoders with no I/O of their own."""
