"""A real SMTP server (aiosmtpd) on loopback for the mail tests.

    python3 smtp_sink.py DIR

Listens on a free port of 127.0.0.1, prints "PORT <n>" once it accepts
connections, and stores every message it receives as DIR/<n>.json: the envelope
("mail_from", "rcpt_tos"), the raw message ("data") and, decoded, its
"from", "to", "subject", plain-text "body" and the "attachments"
(file name, content type, base64 content). Each file is written
to a temporary name and renamed, so a reader never sees half a file. It
ends when its standard input closes (the test that started it ended).
"""

import base64
import email
import email.policy
import itertools
import json
import pathlib
import socket
import sys

from aiosmtpd.controller import Controller


class Store:
    def __init__(self, directory):
        self.directory = pathlib.Path(directory)
        self.numbers = itertools.count()

    async def handle_DATA(self, server, session, envelope):
        number = next(self.numbers)
        message = email.message_from_bytes(
            envelope.original_content, policy=email.policy.default
        )
        body = message.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data": envelope.original_content.decode("utf-8", "replace"),
            "from": str(message["from"]),
            "to": str(message["to"]),
            "subject": str(message["subject"]),
            "body": body.get_content().replace("\r\n", "\n") if body is not None else "",
            "attachments": [
                {
                    "filename": part.get_filename(),
                    "content_type": part.get_content_type(),
                    "content_base64": base64.b64encode(part.get_payload(decode=True)).decode(),
                }
                for part in message.iter_attachments()
            ],
        }
        temporary = self.directory / f".{number:05}.tmp"
        temporary.write_text(json.dumps(record), encoding="utf-8")
        temporary.rename(self.directory / f"{number:05}.json")
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    directory = sys.argv[1]
    port = free_port()
    controller = Controller(Store(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"PORT {port}", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
