"""Vigil's line protocols between firmware and host tools."""
