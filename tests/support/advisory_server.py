"""PyPI's JSON API and the OSV API, as far as `tether audit` uses them, served on
127.0.0.1 from OSV records (the test data's YAML files): the same advisories through
both shapes, and every request logged."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from packaging.utils import canonicalize_name

from tether.quality.advisories import affects, to_advisory


@dataclass
class AdvisoryServer:
    url: str
    requests: list[str] = field(default_factory=list)


def load_records(root: Path) -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text()) for p in sorted(root.rglob("*.yaml"))]


@contextmanager
def advisory_server(records: list[dict[str, Any]], known: set[str]) -> Iterator[AdvisoryServer]:
    """`known`: the package names PyPI has (others answer 404, as a private package does)."""
    state = AdvisoryServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            state.requests.append(f"GET {self.path}")
            parts = self.path.strip("/").split("/")
            if len(parts) != 4 or parts[0] != "pypi" or parts[3] != "json":
                return self._send(404, {"message": "Not Found"})
            name, version = canonicalize_name(parts[1]), parts[2]
            if name not in known:
                return self._send(404, {"message": "Not Found"})
            vulns = []
            for osv in records:
                if affects(osv, name, version):
                    advisory = to_advisory(osv, name)
                    vulns.append({
                        "id": advisory.id, "aliases": list(advisory.aliases),
                        "details": osv.get("details", ""), "summary": None,
                        "fixed_in": list(advisory.fixed), "link": advisory.link,
                        "source": "osv", "withdrawn": None,
                    })  # fmt: skip
            return self._send(200, {"info": {"name": name, "version": version},
                                    "urls": [], "vulnerabilities": vulns})  # fmt: skip

        def do_POST(self) -> None:
            state.requests.append(f"POST {self.path}")
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path != "/v1/query" or body["package"]["ecosystem"] != "PyPI":
                return self._send(400, {"message": "bad query"})
            name, version = body["package"]["name"], body["version"]
            vulns = [osv for osv in records if affects(osv, name, version)]
            return self._send(200, {"vulns": vulns} if vulns else {})

        def _send(self, status: int, data: object) -> None:
            payload = json.dumps(data, default=str).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
