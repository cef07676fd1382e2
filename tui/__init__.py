"""hogtree: organise a PostHog project's file system from the terminal."""

__version__ = "0.1.0"
