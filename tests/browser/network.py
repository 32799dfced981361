"""The tablet's network, for the offline tests: a small HTTP proxy in front of the live
server that a test can cut, as the room's Wi-Fi drops, or let through only part of the
traffic. Cut, every request on it fails at the network level (the connection closes with no
answer), for the page and for its service worker alike, which the browser's own offline
switch does not promise for service workers."""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te"}


class Link:
    def __init__(self, target_port: int):
        self.target_port = target_port
        self.up = True
        # (method, path, body) -> True to drop that request as if the network failed
        self.drop = lambda method, path, body: False
        self.seen: list[tuple[str, str, bytes]] = []
        link = self

        class Handler(_Forward):
            owner = link

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join()
        self.server.server_close()

    def cut(self) -> None:
        self.up = False

    def restore(self) -> None:
        self.up = True
        self.drop = lambda method, path, body: False


class _Forward(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: Link

    def log_message(self, format, *args):  # quiet
        pass

    def do_GET(self):
        self._forward()

    def do_POST(self):
        self._forward()

    def _fail(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _forward(self) -> None:
        link = self.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if not link.up or link.drop(self.command, self.path, body):
            self._fail()
            return
        link.seen.append((self.command, self.path, body))
        upstream = http.client.HTTPConnection("127.0.0.1", link.target_port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        try:
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            response = upstream.getresponse()
            data = response.read()
        except OSError:
            self._fail()
            return
        finally:
            upstream.close()
        self.send_response_only(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
