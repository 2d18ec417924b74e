"""Command-line front ends: argument declarations shared by `vigil` and `west`, and the wiring."""
