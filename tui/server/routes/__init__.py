"""The local server's HTTP routes, one module per PostHog resource."""
