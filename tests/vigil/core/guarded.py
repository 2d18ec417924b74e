"""Buffers between two inaccessible pages, for tests of the C core's bounds: one byte read or
written beyond them kills the process (SIGSEGV), so such calls run in a forked child."""

from __future__ import annotations

import ctypes as C
import mmap

PAGE = mmap.PAGESIZE
_libc = C.CDLL(None, use_errno=True)
_libc.mprotect.argtypes = [C.c_void_p, C.c_size_t, C.c_int]


class Guarded:
    """Pages with an inaccessible page on either side: `put` places bytes against the lower or
    the upper guard, so one byte read or written beyond them kills the process (SIGSEGV)."""

    def __init__(self, size: int):
        self.pages = -(-max(size, 1) // PAGE)
        self.map = mmap.mmap(-1, (self.pages + 2) * PAGE)  # shared: a forked child's writes are seen
        self.base = C.addressof(C.c_char.from_buffer(self.map))
        for page in (0, self.pages + 1):
            assert _libc.mprotect(self.base + page * PAGE, PAGE, 0) == 0  # PROT_NONE

    def put(self, data: bytes, against_upper: bool) -> int:
        offset = PAGE + (self.pages * PAGE - len(data) if against_upper else 0)
        self.map[offset : offset + len(data)] = data
        return offset

    def get(self, offset: int, size: int) -> bytes:
        return self.map[offset : offset + size]
