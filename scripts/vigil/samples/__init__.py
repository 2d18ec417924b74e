"""Samples built into firmware: a default set, and their conversion to C arrays."""
