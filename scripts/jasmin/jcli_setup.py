#!/usr/bin/env python3
"""Configures a fresh Jasmin through jCli (telnet) for the integration test, stdlib only.

Usage: jcli_setup.py <jcli port> <smsc port> <http user> <http password>

Adds the SMPP client connector `sim` (127.0.0.1:<smsc port>, the simulator's `kannel`/`secret`,
transceiver, no throughput limit), starts it, adds group `g1`, the HTTP user and a default MT
route to `sim`, then waits until the connector is bound (`smppccm -l` shows BOUND_TRX). Exits 0
when done, 1 with the jCli transcript on stderr otherwise. jCli prints "Authentication required."
and then waits for the user name without a prompt (Jasmin 0.11).
"""
import socket
import sys
import time

PROMPT = b"jcli : "


def main():
    jcli_port, smsc_port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    transcript = bytearray()
    s = socket.create_connection(("127.0.0.1", jcli_port), timeout=20)

    def read_until(*marks):
        deadline = time.time() + 20
        start = len(transcript)
        while time.time() < deadline:
            if any(m in transcript[start:] for m in marks):
                return bytes(transcript[start:])
            chunk = s.recv(4096)
            if not chunk:
                break
            transcript.extend(chunk)
        raise TimeoutError("jCli did not answer %r" % (marks,))

    def send(line, *marks):
        s.sendall(line.encode() + b"\r\n")
        return read_until(*(marks or (PROMPT, b"> ")))

    try:
        read_until(b"Authentication required.")
        s.sendall(b"jcliadmin\r\n")
        read_until(b"Password: ")
        send("jclipwd", PROMPT)
        for block in [
            ["smppccm -a", "cid sim", "host 127.0.0.1", "port %s" % smsc_port, "username kannel", "password secret",
             "bind transceiver", "submit_throughput 0", "ok"],
            ["group -a", "gid g1", "ok"],
            ["user -a", "username %s" % user, "password %s" % password, "gid g1", "uid u1", "ok"],
            ["mtrouter -a", "type DefaultRoute", "connector smppc(sim)", "rate 0.00", "ok"],
        ]:
            for line in block:
                answer = send(line)
            if b"Successfully added" not in answer:
                raise RuntimeError("jCli refused %r" % block[0])
        send("smppccm -1 sim")
        for _ in range(100):
            if b"BOUND_TRX" in send("smppccm -l"):
                s.sendall(b"quit\r\n")
                return 0
            time.sleep(0.1)
        raise TimeoutError("the connector 'sim' did not bind")
    except Exception as e:  # noqa: BLE001 - report and fail
        sys.stderr.write("jcli_setup: %s\n--- transcript ---\n%s\n" % (e, transcript.decode("utf-8", "replace")))
        return 1


if __name__ == "__main__":
    sys.exit(main())
