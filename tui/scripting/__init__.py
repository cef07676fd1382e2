"""``hogtree ls/find/mkdir/mv/ln/rm/count/export/events``: the app's operations as shell
commands, for scripts, cron jobs and quick looks.

The commands run over the same client as the app (:mod:`tui.api`), with the same
configuration (:mod:`tui.config`, :mod:`tui.backend`). ``arguments`` declares them for
``tui.cli``; ``runner`` connects and runs one; ``resolve`` turns a path (or an entry id)
into an entry; ``output`` prints for a terminal, a pipe or ``--json``; the other modules
each hold one group of commands.
"""
