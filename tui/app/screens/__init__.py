"""Dialogs and full screens: confirm, prompt, search, count, help."""
