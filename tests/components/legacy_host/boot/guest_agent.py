"""The boot test's agent inside the guest: the SSM agent's stand-in.

It reads one JSON request per line from a virtio serial port — {"argv": [...], "timeout": seconds} —, runs the
command as root with the agent's own environment (as the SSM agent runs a document's shell script), and writes one
JSON line back: {"returncode": n, "stdout": "...", "stderr": "..."}. Copied into the image; runs under the guest's
Python, with the standard library only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def answer(request: dict) -> dict:
    try:
        result = subprocess.run(
            request["argv"],
            input=request.get("input", ""),
            capture_output=True,
            text=True,
            errors="replace",
            timeout=request.get("timeout", 600),
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        return {"returncode": -1, "stdout": str(expired.stdout or ""), "stderr": f"timed out after {expired.timeout} s"}
    except OSError as error:
        return {"returncode": 127, "stdout": "", "stderr": str(error)}
    return {"returncode": result.returncode, "stdout": result.stdout, "stderr": result.stderr}


def main(port: str) -> None:
    with open(port, "r+b", buffering=0) as channel:
        pending = b""
        while True:
            chunk = os.read(channel.fileno(), 65536)
            if not chunk:
                # Nobody is connected on the host's side yet.
                time.sleep(0.2)
                continue
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                reply = json.dumps(answer(json.loads(line))).encode() + b"\n"
                view = memoryview(reply)
                while view:
                    view = view[os.write(channel.fileno(), view) :]


if __name__ == "__main__":
    main(sys.argv[1])
