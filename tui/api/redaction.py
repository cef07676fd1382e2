"""Defense in depth for logs: every API key a client was built with is cut out of every log
record, whatever logged it (hogtree, httpx, a library's debug output of a header).

Nothing in hogtree logs a header or a key; this filter is there for what nobody foresaw,
such as a server echoing the key back in an answer that ends up in a message.
"""

from __future__ import annotations

import logging
import threading

from pydantic import SecretStr

from tui.api.errors import scrub

_lock = threading.Lock()
_secrets: tuple[SecretStr, ...] = ()


def remember_secret(secret: SecretStr) -> None:
    """Redact ``secret`` from every log record from now on."""
    global _secrets
    if not secret.get_secret_value():
        return
    with _lock:
        if secret not in _secrets:
            _secrets = (*_secrets, secret)


def known_secrets() -> tuple[SecretStr, ...]:
    return _secrets


class RedactingFilter(logging.Filter):
    """Put on a handler: the record's message, arguments, traceback and stack text, all
    merged and scrubbed before the handler formats them."""

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = _secrets
        if not secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed logging call: keep its text, minus the arguments
            message = str(record.msg)
        record.msg = scrub(message, secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info, secrets)
        return True
