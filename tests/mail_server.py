"""A tiny SMTP server for tests (threads over local sockets): just enough SMTP for Django's
backend. It can stay silent (`hang`), or hold each message at the end of its DATA, unanswered,
until the test releases it (`stall`): a worker caught in the middle of a send, to be killed or
to have its database connections cut. Accepted messages are kept with their Message-ID."""

from __future__ import annotations

import email
import queue
import socketserver
import threading


def message_id(text: str) -> str:
    return email.message_from_string(text)["Message-ID"]


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        server = self.server
        if server.hang:
            server.stopped.wait(60)
            return
        self.say("220 fake ready")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.say("250 fake")
            elif command == "DATA":
                self.say("354 go ahead")
                body = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(data.decode())
                text = "".join(body)
                if server.stall and not server.hold(text):
                    return  # stopped while held: never accepted
                server.messages.append(text)
                self.say("250 queued")
            elif command == "QUIT":
                self.say("221 bye")
                return
            else:
                self.say("250 ok")

    def say(self, text):
        self.wfile.write(text.encode() + b"\r\n")


class MailServer(socketserver.ThreadingTCPServer):
    """On 127.0.0.1:`port` (a free one when 0). `messages`: the accepted messages' text."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, port: int = 0, *, hang: bool = False, stall: bool = False):
        self.hang, self.stall, self.messages = hang, stall, []
        self.stopped = threading.Event()
        self.held: queue.Queue[tuple[str, threading.Event]] = queue.Queue()
        super().__init__(("127.0.0.1", port), Handler)
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def hold(self, text: str) -> bool:
        """Hold a message until the test releases it; False if the server stopped first."""
        release = threading.Event()
        self.held.put((message_id(text), release))
        while not release.wait(0.05):
            if self.stopped.is_set():
                return False
        return True

    def next_held(self, timeout: float = 60) -> tuple[str, threading.Event]:
        """The next message held at the end of its DATA: its Message-ID, and the event that
        releases it (set it: the server accepts the message and answers)."""
        return self.held.get(timeout=timeout)

    def message_ids(self, containing: str) -> list[str]:
        """The Message-ID of each accepted message whose text contains this."""
        return [message_id(text) for text in self.messages if containing in text]

    def stop(self):
        self.stopped.set()
        self.shutdown()
        self.server_close()
