"""When a failed request may be sent again, and how long to wait first.

A request that only reads (GET) can be repeated freely. One that changes something (POST,
PATCH, DELETE) is repeated only when it certainly never reached the server: resending a
``move`` whose answer was lost could move a folder twice, or a ``create`` make a duplicate.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx

from tui.api.errors import ApiError, ThrottledError

# Gateways and servers say "briefly unavailable, try again" with these.
RETRYABLE_STATUSES = frozenset({502, 503, 504})

# Raised before a single byte of the request left this machine: safe to resend anything.
NEVER_SENT: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)

# Connection trouble a read may be resent after. A read *timeout* is not in here: the
# server is up but slow, and asking again would multiply a 30 s wait.
READ_RETRYABLE: tuple[type[httpx.TransportError], ...] = (
    *NEVER_SENT,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)


@dataclass(frozen=True)
class RetryNotice:
    """Told to ``on_retry`` before each wait, so a UI can say what it is waiting for."""

    reason: str
    delay_s: float
    attempt: int  # 1 for the first retry
    max_retries: int = 0

    def __str__(self) -> str:
        return (
            f"{self.reason}; retrying in {self.delay_s:.1f} s ({self.attempt}/{self.max_retries})"
        )


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    # Longest single wait. A Retry-After beyond it is not waited out: the caller gets the
    # 429 at once and can tell the user when to come back, instead of a frozen minute.
    max_wait: float = 30.0
    # First backoff step; it doubles with each attempt, up to backoff_cap.
    backoff_base: float = 0.5
    backoff_cap: float = 10.0

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter, so many clients hit by one outage do not all
        come back in the same instant. Half the step is fixed so a wait is never ~0."""
        step = min(self.backoff_cap, self.backoff_base * 2.0 ** (attempt - 1))
        return min(self.max_wait, step / 2 + random.uniform(0, step / 2))

    def after_transport_error(
        self, exc: httpx.TransportError, *, idempotent: bool, attempt: int
    ) -> float | None:
        """Seconds to wait before retry number ``attempt``, or ``None`` to give up."""
        if attempt > self.max_retries:
            return None
        retryable = READ_RETRYABLE if idempotent else NEVER_SENT
        return self.backoff(attempt) if isinstance(exc, retryable) else None

    def after_error_response(
        self, error: ApiError, *, idempotent: bool, attempt: int
    ) -> float | None:
        """Seconds to wait before retry number ``attempt``, or ``None`` to give up.

        A change that got any answer at all is never resent: it may have been applied.
        """
        if not idempotent or attempt > self.max_retries:
            return None
        if not isinstance(error, ThrottledError) and error.status not in RETRYABLE_STATUSES:
            return None
        if error.retry_after is None:
            return self.backoff(attempt)
        return error.retry_after if error.retry_after <= self.max_wait else None
