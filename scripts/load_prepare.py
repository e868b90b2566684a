#!/usr/bin/env python3
"""Prepares complete drafts of the dog tax form for scripts/load-submit.sh.

Each draft goes through the real HTTP journey, as a browser without
JavaScript would: GET the start page (session cookie, CSRF token), POST
/starten, then POST every step with valid answers. The last step's redirect
must be the check page (`/pruefen`); anything else stops the script.

Writes one line per draft, `COOKIE<TAB>CSRF`, to the output file: what the
submit POST needs. Standard library only (http.client with keep-alive,
one connection per worker thread).

    load_prepare.py BASE_URL COUNT OUTPUT [--workers N]
"""

import argparse
import http.client
import re
import sys
import threading
import time
import urllib.parse

FORM = "hundesteuer"

# Valid answers, step by step, as the step pages post them (field names
# from forms/definitions/hundesteuer.json; yes/no radios post true/false,
# a declaration checkbox posts true).
STEPS = [
    (
        "halter",
        [
            ("halter_familienname", "Mustermann"),
            ("halter_vorname", "Erika"),
            ("halter_geburtsdatum", "17.03.1985"),
            ("halter_anschrift.street", "Marktstraße"),
            ("halter_anschrift.house_number", "12"),
            ("halter_anschrift.addition", ""),
            ("halter_anschrift.postal_code", "99423"),
            ("halter_anschrift.city", "Weimar"),
            ("halter_telefon", ""),
            ("halter_email", ""),
            ("zuzug", "false"),
        ],
    ),
    (
        "hunde",
        [
            ("hunde.0.hund_name", "Bello"),
            ("hunde.0.hund_rasse", "beagle"),
            ("hunde.0.hund_geschlecht", "ruede"),
            ("hunde.0.hund_farbe", "braun"),
            ("hunde.0.hund_geburtsdatum", ""),
            ("hunde.0.hund_haltungsbeginn", "01.01.2024"),
            ("hunde.0.hund_herkunft", "privat"),
            ("hunde.0.hund_vorbesitzer", ""),
            ("hunde.0.hund_gefaehrlich", "false"),
            ("hunde.0.hund_chipnummer", ""),
        ],
    ),
    ("ermaessigung", [("ermaessigung_beantragt", "false")]),
    ("zahlung", [("sepa", "false")]),
    ("abschluss", [("erkl_richtigkeit", "true")]),
]

CSRF = re.compile(r'name="_csrf" value="([^"]*)"')


class Failed(Exception):
    pass


class Client:
    """One keep-alive connection and one browser's session cookie."""

    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        self.base = base.rstrip("/")
        self.host = url.hostname
        self.port = url.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.cookie = None

    def request(self, method, path, body=None):
        headers = {}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.base
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                # The server closed the idle connection: reconnect once.
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                self.cookie = value.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), data

    def draft(self):
        """Starts a fresh session and completes one draft; returns (cookie, csrf)."""
        self.cookie = None
        status, _, page = self.request("GET", f"/forms/{FORM}")
        found = CSRF.search(page.decode("utf-8", "replace"))
        if status != 200 or not found or not self.cookie:
            raise Failed(f"start page: status {status}, token found: {bool(found)}")
        csrf = found.group(1)
        body = urllib.parse.urlencode([("_csrf", csrf)])
        status, location, _ = self.request("POST", f"/forms/{FORM}/starten", body)
        if status != 303 or not location.endswith(f"/forms/{FORM}/{STEPS[0][0]}"):
            raise Failed(f"POST starten: status {status}, location {location!r}")
        for i, (step, answers) in enumerate(STEPS):
            pairs = [("_csrf", csrf), *answers, ("_action", "continue")]
            body = urllib.parse.urlencode(pairs)
            status, location, _ = self.request("POST", f"/forms/{FORM}/{step}", body)
            expected = STEPS[i + 1][0] if i + 1 < len(STEPS) else "pruefen"
            if status != 303 or not location.endswith(f"/forms/{FORM}/{expected}"):
                raise Failed(f"POST {step}: status {status}, location {location!r}")
        return self.cookie, csrf


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="e.g. http://127.0.0.1:3919")
    parser.add_argument("count", type=int, help="number of complete drafts")
    parser.add_argument("output", help="file for COOKIE<TAB>CSRF lines")
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()

    lock = threading.Lock()
    drafts = []
    errors = []
    todo = iter(range(args.count))

    def work():
        client = Client(args.base)
        while True:
            with lock:
                if errors or next(todo, None) is None:
                    return
            try:
                draft = client.draft()
            except (Failed, OSError, http.client.HTTPException) as e:
                with lock:
                    errors.append(str(e))
                return
            with lock:
                drafts.append(draft)

    started = time.monotonic()
    threads = [threading.Thread(target=work) for _ in range(args.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"prepare: {errors[0]}", file=sys.stderr)
        return 1
    with open(args.output, "w", encoding="utf-8") as out:
        for cookie, csrf in drafts:
            out.write(f"{cookie}\t{csrf}\n")
    took = time.monotonic() - started
    print(f"prepare: {len(drafts)} complete drafts in {took:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
