"""Start the dashboards: `python dashboards/server.py [--port 8501]` (what `make dashboards` runs).

Streamlit runs headless (no browser opened), without usage statistics and without watching
files, so it needs no network and serves the pages as committed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

APP = Path(__file__).resolve().with_name("app.py")


def command(port: int, address: str = "127.0.0.1") -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", address,
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        "--theme.base", "light",
        "--client.toolbarMode", "viewer",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--address", default="127.0.0.1", help="0.0.0.0 serves other machines")
    args = parser.parse_args(argv)
    print(f"dashboards on http://localhost:{args.port} (Ctrl-C stops)", flush=True)
    cmd = command(args.port, args.address)
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    raise SystemExit(main())
