#!/usr/bin/env python3
"""A TLS server that requires a client certificate, standing in for a reverse proxy in front of
the Sigil server (the Sigil server itself does not ask for one).

    mtls_server.py CERT KEY CLIENT_CA SECONDS

Binds 127.0.0.1 on a free port and prints the port on its first line. Every POST is answered
200 with {"client": "<the client certificate's CN>"}; a handshake without a certificate issued by
CLIENT_CA fails. Stops by itself after SECONDS (the caller also stops it when done).
"""
import json
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        cert = self.connection.getpeercert() or {}
        subject = dict(pair[0] for pair in cert.get("subject", ()))
        body = json.dumps({"client": subject.get("commonName")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("mtls_server: " + (fmt % args) + "\n")


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    cert, key, client_ca, seconds = sys.argv[1:]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(client_ca)
    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    threading.Timer(float(seconds), server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
