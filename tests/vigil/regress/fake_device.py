"""A fake device for the tests of `vigil regress`'s native_sim and serial adapters: the real
firmware session (C, with TFLM's Python runtime) behind a pseudo-terminal, announced as
native_sim announces its UART - and, on request, a fault after N answered frames:

  hang      stop answering (the host must time out and say so)
  garbage   answer with a malformed protocol line (the host must name it)
  reset     print a fresh boot line and forget the request (the host must notice the restart)
  silent    never announce a pseudo-terminal (a build without stream.conf)
"""

import argparse
import os
import sys
import time

from vigil.device.host import host_session
from vigil.device.pty_device import serve
from vigil.models.manifest import load_manifest
from vigil.models.resolve import resolve_model

FINAL_KINDS = (" result ", " info ", " ack ")


class Faulty:
    def __init__(self, session, fault: str, after: int):
        self.session, self.fault, self.after, self.answered = session, fault, after, 0

    def info(self):
        return self.session.info()

    def feed(self, data: bytes) -> list[str]:
        if self.fault == "hang" and self.answered >= self.after:
            return []
        lines = self.session.feed(data)
        self.answered += sum(any(k in line for k in FINAL_KINDS) for line in lines)
        if self.answered > self.after:
            if self.fault == "garbage":
                return ["VIGIL 1 result uc=kws id=??? label=yes crc=00000000"]
            if self.fault == "reset":
                return ["*** Booting Zephyr OS ***", *self.session.info()]
        return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kws")
    parser.add_argument("--vww")
    parser.add_argument("--fault", choices=("none", "hang", "garbage", "reset", "silent"), default="none")
    parser.add_argument("--after", type=int, default=0, help="answered frames before the fault")
    args = parser.parse_args()
    if args.fault == "silent":
        print("*** Booting Zephyr OS ***", flush=True)
        time.sleep(60)
        return 0
    manifest = load_manifest(None)
    mirror = [os.environ["VIGIL_MODEL_MIRROR"]] if "VIGIL_MODEL_MIRROR" in os.environ else []
    session = host_session(
        resolve_model(args.kws, manifest, mirror) if args.kws else None,
        resolve_model(args.vww, manifest, mirror) if args.vww else None,
    )
    serve(Faulty(session, args.fault, args.after))
    return 0


if __name__ == "__main__":
    sys.exit(main())
