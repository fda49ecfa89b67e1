"""A small JSON API to try `ingest run` against: paged customers with nested objects.

    python examples/rest_api_server.py [--port 8765]     # serves http://127.0.0.1:8765/api

GET /api/customers?page=N returns `{"data": [...], "page": N, "total_pages": 2}`; each
customer has a nested `address` object and a list of `orders` (which becomes the child table
`customers__orders`). Every request needs `Authorization: Bearer <token>`, the token taken
from DEMO_API_TOKEN (default `demo-token`); anything else gets 401.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PAGE_SIZE = 2
CUSTOMERS = [
    {
        "id": i,
        "name": name,
        "address": {"city": city, "zip": f"{10000 + i}"},
        "orders": [{"order_id": i * 100 + k, "amount_usd": 10.5 * (k + 1)} for k in range(i % 3)],
    }
    for i, (name, city) in enumerate(
        [("Ada", "Boston"), ("Grace", "Denver"), ("Alan", "Austin"), ("Edsger", "Omaha")], start=1
    )
]


def handler_for(token: str):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            url = urlparse(self.path)
            if self.headers.get("Authorization") != f"Bearer {token}":
                return self._send(401, {"error": "missing or wrong bearer token"})
            if url.path.rstrip("/") != "/api/customers":
                return self._send(404, {"error": f"no such resource {url.path}"})
            page = int(parse_qs(url.query).get("page", ["1"])[0])
            rows = CUSTOMERS[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
            total = -(-len(CUSTOMERS) // PAGE_SIZE)
            return self._send(200, {"data": rows, "page": page, "total_pages": total})

        def _send(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:  # quiet
            return

    return Handler


def serve(port: int = 0, token: str | None = None) -> ThreadingHTTPServer:
    """Start the API on 127.0.0.1 in a background thread; `server.server_port` is the port."""
    token = token or os.environ.get("DEMO_API_TOKEN", "demo-token")
    server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(token))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=8765)
    args = ap.parse_args()
    srv = serve(args.port)
    print(f"serving http://127.0.0.1:{srv.server_port}/api (Ctrl-C to stop)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        srv.shutdown()
