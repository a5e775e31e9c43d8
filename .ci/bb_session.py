#!/usr/bin/env python3
"""One scripted session against the bulletin-board server (the README's main job), for CI.

Usage: bb_session.py HOST PORT. Logs in as the sample user alice, browses one message, quits,
and checks the goodbye. Exits non-zero (printing what arrived) if any prompt does not come
within 20 seconds."""
import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
sock = socket.create_connection((host, port), timeout=20)
seen = b""


def expect(text):
    global seen
    while text.encode() not in seen:
        chunk = sock.recv(4096)
        if not chunk:
            sys.exit(f"connection closed while waiting for {text!r}; got:\n{seen.decode(errors='replace')}")
        seen += chunk
    at = seen.index(text.encode()) + len(text)
    seen = seen[at:]


def say(line):
    sock.sendall(line.encode() + b"\r\n")


try:
    expect("login: ")
    say("alice")
    expect("password: ")
    say("rabbit-hole")
    expect("main>")
    say("")
    expect("messages>")
    say("x")
    expect("main>")
    say("q")
    expect("Goodbye")
except socket.timeout:
    sys.exit(f"timed out; got:\n{seen.decode(errors='replace')}")
print("bulletin board: scripted session ok (login, browse, quit)")
