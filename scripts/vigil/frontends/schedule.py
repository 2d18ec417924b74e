"""When a streamed keyword model runs: the one schedule the firmware session follows
(modules/vigil/src/session.c) and every Python path (classify, regress targets, the reference
chain) reproduces.

A tensor is built when the window of clip_samples is first complete, then every stride_hops
hops; each is time-stamped with the stream time of its last sample, in whole milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigil.frontends.spec import AudioSpec


@dataclass(frozen=True)
class StreamSchedule:
    sample_rate: int
    window_samples: int
    hop_samples: int
    stride_hops: int

    @classmethod
    def of(cls, frontend: AudioSpec, stride_ms: int) -> StreamSchedule:
        """As vigil_session_init: stride_ms // hop_ms hops between tensors, at least one."""
        hop_ms = frontend.hop_ms
        stride = stride_ms // hop_ms if hop_ms > 0 else 1
        return cls(frontend.sample_rate, frontend.clip_samples, frontend.hop_samples, max(1, stride))

    @property
    def stride_samples(self) -> int:
        return self.stride_hops * self.hop_samples

    def window_ends(self, total_samples: int) -> range:
        """Sample index (exclusive) of the last sample of each window, for a stream this long."""
        if total_samples < self.window_samples:
            return range(0)
        return range(self.window_samples, total_samples + 1, self.stride_samples)

    def end_of(self, k: int) -> int:
        """The end of the k-th window (k = 0 for the first)."""
        return self.window_samples + k * self.stride_samples

    def time_ms(self, end: int) -> int:
        return end * 1000 // self.sample_rate
