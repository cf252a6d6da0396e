#!/usr/bin/env python3
"""N concurrent Gemini clients for D seconds against a capsule preview: counts responses and errors.

A response counts as an error unless it has status 20, a body, and ends with TLS close_notify
(ssl's suppress_ragged_eofs=False makes a missing close_notify raise).
Usage: gemini-load.py PORT CLIENTS SECONDS PATH
"""
import socket, ssl, sys, threading, time

port, clients, seconds, path = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE  # the preview's certificate is self-signed
ok = errors = 0
lock = threading.Lock()
deadline = time.monotonic() + seconds


def client():
    global ok, errors
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=15) as raw:
                with ctx.wrap_socket(raw, server_hostname="localhost", suppress_ragged_eofs=False) as tls:
                    tls.sendall(f"gemini://localhost:{port}{path}\r\n".encode())
                    data = b""
                    while True:
                        chunk = tls.recv(65536)
                        if not chunk:
                            break
                        data += chunk
            good = data.startswith(b"20 ") and len(data) > 100
        except Exception as e:  # noqa: BLE001 - any failure is an error to count
            good = False
            print("error:", e, file=sys.stderr)
        with lock:
            if good:
                ok += 1
            else:
                errors += 1


threads = [threading.Thread(target=client) for _ in range(clients)]
start = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.monotonic() - start
print(f"gemini: {clients} clients, {elapsed:.1f} s: {ok} responses, {errors} errors, {ok / elapsed:.0f} req/s")
sys.exit(1 if errors else 0)
