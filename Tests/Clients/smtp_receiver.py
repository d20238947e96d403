"""A real SMTP server (aiosmtpd) that the SMTP delivery tests send to.

Usage: python smtp_receiver.py --log LOG.jsonl --ca-out CA.pem [--tls starttls|implicit|none] [--auth required|none]
                               [--no-ehlo]

Prints "READY <port>" once it listens on 127.0.0.1 (on a free port it picks itself), then serves until killed.

- TLS: a throwaway CA made with trustme issues a certificate for localhost and 127.0.0.1; the CA is written to --ca-out
  for the client to trust. With --tls starttls the server offers STARTTLS and requires it; implicit wraps the socket.
- AUTH (PLAIN and LOGIN, only after TLS): user "siyu", password "s3cret-pass".
- Recipients starting with "retry-" get 451 at RCPT, "reject-" get 550, "data-retry-" get 452 at the end of DATA.
- Each accepted message is appended to --log as one JSON line: the envelope, the queue id answered, whether TLS and
  AUTH were used, and the message as Python's own email parser (email.policy.default) decodes it, plus the raw bytes.
"""
import argparse
import asyncio
import base64
import json
import signal
import ssl
import sys
import uuid
from email import policy
from email.parser import BytesParser

import trustme
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

USER = b"siyu"
PASSWORD = b"s3cret-pass"


class Recorder:
    def __init__(self, log_path, ehlo):
        self.log_path = log_path
        self.ehlo = ehlo

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if not self.ehlo:
            # An old server: EHLO is not understood, the client must fall back to HELO.
            session.host_name = None
            return ["502 5.5.2 Error: command not recognized"]
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("retry-"):
            return "451 4.3.0 Mailbox temporarily unavailable"
        if address.startswith("reject-"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(r.startswith("data-retry-") for r in envelope.rcpt_tos):
            return "452 4.3.1 Insufficient system storage"
        queue_id = uuid.uuid4().hex[:12].upper()
        raw = envelope.original_content or envelope.content
        # The email package works on \n line endings, as a mailbox stores them.
        message = BytesParser(policy=policy.default).parsebytes(raw.replace(b"\r\n", b"\n"))
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        record = {
            "queue_id": queue_id,
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "authenticated": bool(session.authenticated),
            "helo": session.host_name,
            "subject": str(message["Subject"]),
            "from_name": message["From"].addresses[0].display_name,
            "from_address": message["From"].addresses[0].addr_spec,
            "to": [a.addr_spec for a in message["To"].addresses],
            "cc": [a.addr_spec for a in message["Cc"].addresses] if message["Cc"] else [],
            "bcc_header": message["Bcc"] is not None,
            "message_id": message["Message-ID"],
            "date": message["Date"],
            "list_unsubscribe": message["List-Unsubscribe"],
            "list_unsubscribe_post": message["List-Unsubscribe-Post"],
            "content_type": message.get_content_type(),
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
            "defects": [type(d).__name__ for d in message.defects],
            "raw": base64.b64encode(raw).decode(),
        }
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(record, ensure_ascii=False) + "\n")
        return f"250 2.0.0 Ok: queued as {queue_id}"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER and auth_data.password == PASSWORD
    return AuthResult(success=ok, handled=False)


async def main():
    # A test process may start us with SIGTERM blocked or ignored (inherited); we want to be stoppable.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--ca-out", required=True)
    parser.add_argument("--tls", choices=["starttls", "implicit", "none"], default="starttls")
    parser.add_argument("--auth", choices=["required", "none"], default="required")
    parser.add_argument("--no-ehlo", action="store_true")
    args = parser.parse_args()

    ca = trustme.CA()
    ca.cert_pem.write_to_path(args.ca_out)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)

    handler = Recorder(args.log, ehlo=not args.no_ehlo)
    auth = args.auth == "required"

    def factory():
        return SMTP(
            handler,
            hostname="receiver.test",
            tls_context=context if args.tls == "starttls" else None,
            require_starttls=args.tls == "starttls",
            auth_required=auth,
            # Over implicit TLS aiosmtpd does not know the socket is encrypted; it is.
            auth_require_tls=args.tls != "implicit",
            authenticator=authenticator if auth else None,
            data_size_limit=2 * 1024 * 1024,
        )

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        factory, host="127.0.0.1", port=0, ssl=context if args.tls == "implicit" else None
    )
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
