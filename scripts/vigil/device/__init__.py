"""Devices that speak the console stream protocol: the firmware session on the host, behind a pty."""
