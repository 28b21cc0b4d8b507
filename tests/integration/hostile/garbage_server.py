#!/usr/bin/env python3
"""A server on the database's port that is not PostgreSQL, for garbage_test.sh.

For each connection it reads what libpq sends first (an SSLRequest or a startup packet) and
answers with random bytes: plain noise, or noise shaped after PostgreSQL's protocol (a
refused or accepted SSLRequest followed by noise, framed messages of random types, error
responses whose text is random bytes: invalid UTF-8, newlines, terminal escapes), often
enough to get past libpq's first checks and into its parsers. Every reply is saved as
DIR/N.bin and logged as "N KIND" on stdout, so a failure can be replayed.

Usage: garbage_server.py ADDRESS PORT SEED DIR
"""
import os
import random
import socket
import struct
import sys
import threading

SSL_REQUEST = 80877103
MESSAGE_TYPES = b"RESZKCDTNAGHIVWcdnst123"


def noise(rng, most=512):
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, most)))


def framed(kind, payload):
    return kind + struct.pack("!i", len(payload) + 4) + payload


def hostile_text(rng):
    """Bytes a hostile server would put in a message: not UTF-8, newlines, escapes."""
    pieces = [noise(rng, 40), b"\n2099-01-01T00:00:00.000Z wgsidecar error forged\n", b"\x1b[2J",
              b"\xff\xfe", b"caf\xe9", b"\xe2\x80\xae", "héllo".encode(), b"\x00"]
    return b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))).replace(b"\x00", b"")


def error_response(rng):
    fields = b""
    for code in rng.sample(b"SVCMDHPpqWstcdnFLR", rng.randint(0, 6)):
        fields += bytes([code]) + hostile_text(rng) + b"\x00"
    return framed(b"E", fields + b"\x00")


def after_startup(rng):
    """A reply to a startup packet: what libpq parses after it has sent one."""
    kind = rng.choice(["noise", "message", "messages", "error", "auth", "badlength"])
    if kind == "noise":
        return kind, noise(rng)
    if kind == "message":
        return kind, framed(bytes([rng.choice(MESSAGE_TYPES)]), noise(rng, 200))
    if kind == "messages":
        return kind, b"".join(framed(bytes([rng.choice(MESSAGE_TYPES)]), noise(rng, 60)) for _ in range(rng.randint(2, 6)))
    if kind == "error":
        return kind, error_response(rng)
    if kind == "auth":
        code = rng.choice([0, 2, 3, 5, 7, 8, 9, 10, 11, 12, rng.getrandbits(31)])
        return kind, framed(b"R", struct.pack("!i", code) + noise(rng, 80))
    return kind, b"R" + struct.pack("!i", rng.choice([-1, 0, 3, 2**31 - 1, 100000])) + noise(rng, 100)


def read_packet(conn):
    head = conn.recv(4, socket.MSG_WAITALL)
    if len(head) < 4:
        return None, b""
    length = struct.unpack("!i", head)[0]
    body = conn.recv(max(0, min(length - 4, 65536)), socket.MSG_WAITALL) if length > 4 else b""
    code = struct.unpack("!i", body[:4])[0] if len(body) >= 4 else None
    return code, body


def reply(rng, conn):
    """Answers one connection; returns (kind, every byte sent)."""
    code, _ = read_packet(conn)
    if rng.random() < 0.1:
        return "silence", b""
    if code == SSL_REQUEST:
        choice = rng.choice(["N", "S", "E", "noise"])
        if choice == "N":
            conn.sendall(b"N")
            read_packet(conn)
            kind, data = after_startup(rng)
            conn.sendall(data)
            return "ssl-refused+" + kind, b"N" + data
        data = {"S": lambda: b"S" + noise(rng),
                "E": lambda: rng.choice([b"E", error_response(rng)]) + noise(rng, 40),
                "noise": lambda: noise(rng)}[choice]()
        conn.sendall(data)
        return "ssl-" + choice, data
    kind, data = after_startup(rng)
    conn.sendall(data)
    return kind, data


def serve(conn, number, rng, directory, lock):
    with conn:
        try:
            conn.settimeout(5)
            kind, data = reply(rng, conn)
            with open(os.path.join(directory, f"{number}.bin"), "wb") as saved:
                saved.write(data)
            with lock:
                print(number, kind, flush=True)
            if rng.random() < 0.05:
                threading.Event().wait(1.5)  # a server that stops answering
            conn.shutdown(socket.SHUT_WR)
            conn.recv(1024)
        except OSError:
            pass


def main():
    address, port, seed, directory = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    os.makedirs(directory, exist_ok=True)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((address, port))
    listener.listen(16)
    lock = threading.Lock()
    number = 0
    while True:
        conn, _ = listener.accept()
        number += 1
        rng = random.Random(seed * 1_000_003 + number)
        threading.Thread(target=serve, args=(conn, number, rng, directory, lock), daemon=True).start()


if __name__ == "__main__":
    main()
