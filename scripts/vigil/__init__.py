"""Vigil: tooling for always-on keyword spotting and visual wake words on Zephyr."""

__version__ = "0.1.0"
