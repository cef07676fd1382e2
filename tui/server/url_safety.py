"""Whether a URL the server would fetch is safe to fetch, as PostHog's ``is_url_allowed``
(posthog/security/url_validation.py) judges it, with its words for each refusal.

PostHog also resolves the host and refuses private addresses it resolves to; this server
checks only what the URL itself says (an IP literal), so as not to depend on DNS. It never
fetches such a URL either: the check is for fidelity of the answer.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse

METADATA_HOSTS = frozenset({"169.254.169.254", "metadata.google.internal"})
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
INTERNAL_DOMAIN_SUFFIXES = (
    ".local",
    ".internal",
    ".svc.cluster.local",
    ".cluster.local",
    ".consul",
    ".lan",
    ".home",
    ".corp",
    ".localdomain",
    ".home.arpa",
    ".intranet",
    ".priv",
)


def url_refusal(raw_url: str) -> str | None:
    """Why ``raw_url`` must not be fetched, or None when it may."""
    try:
        url = urlparse(raw_url)
        host = (url.hostname or "").lower()
    except ValueError:
        return "Invalid URL"
    if url.scheme not in ("http", "https"):
        return "Disallowed scheme"
    if not url.netloc:
        return "Missing host"
    if host in METADATA_HOSTS:
        return "Local/metadata host"
    if host in LOOPBACK_HOSTS:
        return "Local/Loopback host not allowed"
    if host.endswith(INTERNAL_DOMAIN_SUFFIXES):
        return "Internal domain not allowed"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    internal = (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )
    return f"Disallowed target IP: {ip}" if internal else None
