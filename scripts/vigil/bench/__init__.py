"""Benchmarks: figures printed, never asserted (speed and memory targets live here, not in tests)."""
