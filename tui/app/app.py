"""hogtree's Textual app: the project tree, the side pane, the status line.

Every request runs in a worker; the UI only ever waits for the user. Changes report one
summary, then the affected folders reload so the tree shows the server's truth.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.dom import DOMNode
from textual.widgets import Header
from textual.worker import WorkerState

from tui import labels, ops, paths
from tui.api import ApiError, PostHogClient, RetryNotice
from tui.app import reports
from tui.app.bindings import KeyRow, key_rows
from tui.app.commands import HogtreeCommands
from tui.app.delete_question import delete_question
from tui.app.errors import describe
from tui.app.idle_gc import CHECK_EVERY_S, IdleCollector
from tui.app.screens.confirm import ConfirmScreen
from tui.app.screens.count import CountScreen
from tui.app.screens.filter import FilterScreen
from tui.app.screens.help import HelpScreen
from tui.app.screens.messages import MessagesScreen
from tui.app.screens.projects import ProjectsScreen
from tui.app.screens.prompt import PromptScreen
from tui.app.screens.search import SearchScreen
from tui.app.shell_path import shell_path
from tui.app.status import Level, StatusBoard
from tui.app.status_moment import MessageMoment
from tui.app.widgets.details import web_url
from tui.app.widgets.key_footer import KeyFooter
from tui.app.widgets.project_tree import ProjectTree
from tui.app.widgets.side_pane import SidePane, Tab
from tui.app.widgets.status_line import StatusLine
from tui.app.widgets.tree_rows import Folder
from tui.backend import Backend
from tui.models import FileSystemEntry
from tui.models.accounts import ProjectSummary
from tui.models.shortcuts import Shortcut
from tui.ops import shortcuts as shortcut_ops
from tui.ops import unfiled as unfiled_ops

logger = logging.getLogger(__name__)

# PostHog's own UI asks before moving or linking a folder with more entries than this.
CONFIRM_ABOVE = 50

# Textual's timers divide by their interval: a Retry-After of 0 must still wait a little.
SHORTEST_TIMER_S = 0.001

# Actions that change the project: hidden and refused in read-only mode.
MUTATING_ACTIONS = frozenset(
    {
        "new_folder",
        "rename",
        "move",
        "cut",
        "paste",
        "link",
        "delete",
        "undo",
        "redo",
        "shortcut",
        "file_unfiled",
    }
)

# Actions the palette offers that no key is bound to: (title, help, action).
PALETTE_ONLY: tuple[tuple[str, str, str], ...] = (
    (
        "File unfiled objects",
        "give every object the tree does not hold yet an entry under Unfiled/",
        "file_unfiled",
    ),
)


class HogtreeApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "hogtree"
    COMMANDS = App.COMMANDS | {HogtreeCommands}
    # Screen classes for shorter terminals: dialogs drop their padding and draw one-line
    # buttons there (app.tcss).
    VERTICAL_BREAKPOINTS = [  # noqa: RUF012 - Textual declares it as an instance variable
        (0, "-short"),
        (20, "-tall"),
    ]

    PALETTE_ONLY: ClassVar[tuple[tuple[str, str, str], ...]] = PALETTE_ONLY

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="search"),
        Binding("f", "filter", "Filter", show=False, id="filter"),
        Binding("s", "sort", "Sort", show=False, id="sort"),
        Binding("n", "new_folder", "New", id="new_folder"),
        Binding("r", "rename", "Rename", id="rename"),
        Binding("m", "move", "Move", id="move"),
        Binding("x", "cut", "Cut", show=False, id="cut"),
        Binding("p", "paste", "Paste", show=False, id="paste"),
        Binding("L", "link", "Link", id="link"),
        Binding("d,delete", "delete", "Delete", id="delete"),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("U", "redo", "Redo", show=False, id="redo"),
        Binding("c", "count", "Count", id="count"),
        Binding("e", "export", "Export", id="export"),
        Binding("S", "shortcut", "Shortcut", show=False, id="shortcut"),
        Binding("P", "switch_project", "Switch project", show=False, id="switch_project"),
        # In the footer when read-only only (app.tcss): it has room there.
        Binding("o", "copy_url", "Copy URL", id="copy_url"),
        Binding("y", "copy_path", "Copy path", show=False, id="copy_path"),
        Binding("v", "events", "Events", id="events"),
        Binding("R,ctrl+r", "reload", "Reload", id="reload"),
        # Priority: the screen's own tab (focus the next widget) would come first, and
        # stop at every widget of the side pane; check_action lets dialogs have theirs.
        Binding("tab", "switch_focus", "Pane", show=False, id="switch_focus", priority=True),
        Binding(
            "shift+tab",
            "switch_focus",
            "Pane",
            show=False,
            id="switch_focus_back",
            priority=True,
        ),
        Binding("1", "pane('details')", "Details", show=False, id="pane_details"),
        Binding("2", "pane('exports')", "Exports", show=False, id="pane_exports"),
        Binding("3", "pane('events')", "Events", show=False, id="pane_events"),
        Binding("backslash", "toggle_pane", "Side pane", show=False, id="toggle_pane"),
        Binding("M", "messages", "Messages", show=False, id="messages"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, id="quit_ctrl_c", priority=True),
        # Textual's own, given ids so that ? names them and [keys] can remap them.
        Binding("ctrl+q", "quit", "Quit", show=False, id="quit_ctrl_q", priority=True),
        Binding(
            App.COMMAND_PALETTE_BINDING,
            "command_palette",
            "palette",
            show=False,
            key_display=App.COMMAND_PALETTE_DISPLAY,
            priority=True,
            tooltip="Open the command palette",
            id="command_palette",
        ),
    ]

    def __init__(
        self,
        backend: Backend,
        *,
        read_only: bool = False,
        download_dir: Path | None = None,
        keymap: dict[str, str] | None = None,
        icons: str = labels.DEFAULT_ICONS,
    ) -> None:
        super().__init__()
        labels.use_icons(icons)  # every label drawn from now on: the tree, search, panes
        if keymap:
            self.set_keymap(keymap)  # the user's remaps, by binding id
        self.backend = backend
        self.read_only = read_only
        self.download_dir = download_dir or Path.cwd()
        self.client: PostHogClient | None = None
        self.undo_stack: list[ops.Undo] = []
        # Steps undone with u, the last on top: U makes their change again. A new change
        # clears it, as in every editor (its changes would be made over the new one).
        self.redo_stack: list[ops.Undo] = []
        # While connecting: what was asked meanwhile, by name, called with the client once
        # connected (None if that failed). None when not connecting.
        self._waiting: dict[str, Callable[[PostHogClient | None], object]] | None = None
        # What runs and what was said: every worker shares it; the status line draws it.
        self.status = StatusBoard()
        # Puts the shown message away once the user moves on to another entry.
        self.message_moment = MessageMoment(self.status)
        self.collector = IdleCollector(busy=self._working)
        self.sub_title = backend.description + (" · read-only" if read_only else "")

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header(icon="🦔")
        with Horizontal(id="main"):
            yield ProjectTree(id="tree")
            yield SidePane(id="side")
        self.status_line = StatusLine(self.status, id="status")
        yield self.status_line
        yield KeyFooter()

    @property
    def project_tree(self) -> ProjectTree:
        return self.query_one(ProjectTree)

    @property
    def side_pane(self) -> SidePane:
        return self.query_one(SidePane)

    @property
    def cut_entries(self) -> list[FileSystemEntry]:
        """The entries cut with x, waiting for p (the tree shows them cut)."""
        return list(self.project_tree.cut.values())

    def on_mount(self) -> None:
        # Fast path: what is alive now (every module imported, the screen just built)
        # lives as long as the app. Frozen, the garbage collector's full passes stop
        # walking it again and again: B6 measured full passes of 100-350 ms stalling
        # the app while pages loaded. Thawed on unmount (tests run many apps in one process).
        gc.freeze()
        gc.enable()  # `hogtree` starts with it off (tui/cli.py run_app)
        # The full passes over what came later run when the user pauses (tui.app.idle_gc).
        self.collector.take_over()
        self.set_interval(CHECK_EVERY_S, self.collector.check)
        self.project_tree.focus()
        self._start_connecting()

    def _start_connecting(self) -> None:
        if self._waiting is None:
            self._waiting = {}
        self._connect()

    @work(thread=True, exclusive=True, group="connect")
    def _connect(self) -> None:
        """Start the local server (or just build the client) off the UI thread."""
        with self.status.busy("connecting…"):
            try:
                client = self.backend.connect(on_retry=self._on_retry_from_any_thread)
            except Exception as error:  # a failure to start must be a message, not a traceback
                self.call_from_thread(self._connect_failed, str(error))
                return
        self.call_from_thread(self._connected, client)

    def _connected(self, client: PostHogClient) -> None:
        self.client = client
        self.side_pane.connect(
            client,
            self.status,
            download_dir=self.download_dir,
            web_host=self.backend.web_host,
            project_id=self.backend.project_id,
        )
        self.project_tree.start(client, self.status)
        waiting, self._waiting = self._waiting or {}, None
        for then in waiting.values():
            then(client)

    def _connect_failed(self, reason: str) -> None:
        waiting, self._waiting = self._waiting or {}, None
        for then in waiting.values():
            then(None)
        dropped = f" ({', '.join(waiting).replace('_', ' ')} not run)" if waiting else ""
        self.status.fail(f"Could not start: {labels.visible(reason)}{dropped}")

    def _on_retry_from_any_thread(self, notice: RetryNotice) -> None:
        # The client runs on the app's loop, so this is called there. The wait is a work of
        # its own, in the server's words (e.g. a 429's Retry-After), over when the retry
        # goes out; the log keeps it.
        note = f"{labels.visible(notice.reason)}: retrying in {notice.delay_s:.0f} s"
        self.status.say(note, Level.WARNING, show=False)
        waiting = self.status.busy(note)
        self.set_timer(max(notice.delay_s, SHORTEST_TIMER_S), waiting.end)

    def _working(self) -> bool:
        """Some worker runs: a page, a search, a change, an export on its way."""
        return any(worker.state is WorkerState.RUNNING for worker in self.workers)

    async def on_event(self, event: events.Event) -> None:
        # Every key and click reaches the app first (not yet forwarded): what tells the
        # user moving the cursor from the tree re-announcing it after a change.
        if isinstance(event, events.Key | events.MouseDown) and not event.is_forwarded:
            self.message_moment.user_input()
            self.collector.user_input()
        await super().on_event(event)

    def _handle_exception(self, error: Exception) -> None:
        # Textual prints the traceback when the app exits; --debug's log keeps it too
        # (plain, without locals, and scrubbed of the key like every record).
        cause = getattr(error, "error", error)  # a WorkerFailed carries the worker's own
        logger.error("stopped by an unexpected error", exc_info=cause)
        super()._handle_exception(error)

    async def on_unmount(self) -> None:
        self.collector.give_back()
        gc.unfreeze()
        if self.client is not None:
            await self.client.aclose()
        self.backend.close()

    # ------------------------------------------------------------------ tree events

    @on(ProjectTree.EntryHighlighted)
    def entry_highlighted(self, event: ProjectTree.EntryHighlighted) -> None:
        if not self.query(SidePane):
            return  # a late message while the app closes: the panes are gone
        entry = event.entry
        self.message_moment.cursor_on(entry.id if entry is not None else None)
        self.collector.user_input()  # the cursor moving is the user at work too
        tree = self.project_tree
        section = tree.section_of_cursor()
        if entry is None and section is not None:
            self.status_line.path = tree.sections[section].title  # a head: not a folder
        else:
            self.status_line.path = entry.path if entry else tree.folder_of_cursor()
        self.side_pane.show(entry)

    @on(ProjectTree.MarksChanged)
    def marks_changed(self, event: ProjectTree.MarksChanged) -> None:
        self.status_line.marked = event.count

    @on(ProjectTree.CutChanged)
    def cut_changed(self, event: ProjectTree.CutChanged) -> None:
        self.status_line.cut = event.count

    @on(ProjectTree.EntryOpened)
    def entry_opened(self, event: ProjectTree.EntryOpened) -> None:
        # The entry first: opening the tab then draws it once, not the one before it too.
        self.side_pane.show(event.entry)
        self.side_pane.open("details")

    @on(ProjectTree.PinnedOpened)
    def pinned_opened(self, event: ProjectTree.PinnedOpened) -> None:
        self.jump_to(event.entry)

    @on(ProjectTree.SectionLoadFailed)
    def section_load_failed(self, event: ProjectTree.SectionLoadFailed) -> None:
        self.status.fail(f"Could not load {event.title}: {describe(event.error)}")

    @on(ProjectTree.LoadFailed)
    def load_failed(self, event: ProjectTree.LoadFailed) -> None:
        where = labels.visible(event.folder) or "the top level"
        self.status.fail(f"Could not load {where}: {describe(event.error)}")

    # ------------------------------------------------------------------ read-only

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # False hides the action from the footer, the help and the palette, and refuses it.
        if action == "switch_focus" and self.screen is not self.screen_stack[0]:
            return False  # a dialog's tab moves between its own widgets
        return not (self.read_only and action in MUTATING_ACTIONS)

    def _allowed(self, action: str) -> bool:
        """The client is there. If it is on its way, ``action`` waits for it: it runs once
        connected (once, however often it was pressed)."""
        if self.client is not None:
            return True
        if self._waiting is None:
            self.status.fail("Not connected: R tries again")
            return False

        def run(client: PostHogClient | None) -> None:
            if client is not None:
                self.call_later(self.run_action, action)  # read-only checks included

        self._waiting.setdefault(action, run)
        self.status.say(f"Connecting… {action.replace('_', ' ')} runs once connected")
        return False

    # ------------------------------------------------------------------ running changes

    @work(group="changes")
    async def _run(self, what: str, change: Awaitable[reports.Report]) -> None:
        """Run one change in the background, then report it and reload what it touched."""
        working = self.status.busy(what, replaces_message=True)
        try:
            report = await change
        except ApiError as error:  # the changes catch their own; this is a last resort
            self.status.fail(describe(error))
            return
        finally:
            working.end()
        self._report(report)

    def _report(self, report: reports.Report, *, new_change: bool = True) -> None:
        """One summary for the user; then the tree shows the server's truth. A new change
        (not an undo or a redo) ends what could be redone."""
        if new_change:
            self.redo_stack.clear()
        if report.failed:
            self.status.fail(report.text)
        else:
            self.status.say(report.text, Level.SUCCESS)
        if report.undo is not None:
            self.undo_stack.append(report.undo)
        self.project_tree.reload_folders(set(report.touched))
        self.project_tree.refresh_sections()  # they may show what changed
        if report.reveal is not None:
            self._reveal(report.reveal)  # open the folders down to it, cursor on it

    # ------------------------------------------------------------------ actions

    def action_search(self) -> None:
        search = SearchScreen(self.client)
        if self.client is None:
            if self._waiting is None:
                self._allowed("search")  # says why not
                return
            # Open at once, so that what is typed goes into the query; it runs once connected.
            self._waiting["search"] = search.connect
        self.push_screen(search, self._jump_to)

    def _jump_to(self, entry: FileSystemEntry | None) -> None:
        if entry is not None:
            self.jump_to(entry)

    def jump_to(self, entry: FileSystemEntry) -> None:
        """Open the folders down to ``entry`` and put the cursor on it."""
        self.project_tree.focus()
        self._reveal(entry)

    @work(exclusive=True, group="reveal")
    async def _reveal(self, entry: FileSystemEntry) -> None:
        try:
            with self.status.busy(f"opening {labels.visible(entry.path)}…"):
                found = await self.project_tree.reveal(entry)
        except ApiError as error:
            self.status.fail(describe(error))
            found = True
        if not found:
            self.status.fail(f"{labels.visible(entry.path)} is no longer there")

    def action_filter(self) -> None:
        """Narrow the folder under the cursor to the names matching what is typed."""
        tree = self.project_tree
        path = tree.open_folder_of_cursor()
        if path is None:
            return
        was_on = tree.cursor_entry
        where = labels.visible(paths.basename(path)) or "top level"

        def narrow(text: str) -> None:
            tree.filter_folder(path, text.strip() or None)

        def done(text: str | None) -> None:
            if text is None or not text.strip():
                tree.filter_folder(path, None)
                if was_on is not None:
                    self.jump_to(was_on)  # back where the user was before filtering
                return
            tree.filter_folder(path, text.strip())
            self.status.say(
                f"{where}: names matching {labels.visible(text.strip())} · esc shows all"
            )

        current = tree.folders[path].name_filter if path in tree.folders else None
        self.push_screen(FilterScreen(where, current or "", narrow), done)

    def action_sort(self) -> None:
        """Name order, newest first, oldest first: asked of the server, for every folder."""
        self.status.say(f"Sorted {self.project_tree.cycle_sort()}")

    def action_new_folder(self) -> None:
        if not self._allowed("new_folder"):
            return
        parent = self.project_tree.folder_of_cursor()
        where = labels.visible(parent) or "the top level"

        def create(name: str | None) -> None:
            if name and name.strip():
                self._run("creating…", self._create_folder(parent, name))

        self.push_screen(PromptScreen(f"New folder in {where}", placeholder="name"), create)

    async def _create_folder(self, parent: str, name: str) -> reports.Report:
        assert self.client is not None
        try:
            made = await ops.make_folder(self.client, paths.child(parent, name))
        except (ApiError, ops.ChangeRefused) as error:
            return reports.created_folder(parent, name, error=error)
        return reports.created_folder(parent, name, made)

    def action_rename(self) -> None:
        entry = self.project_tree.cursor_entry
        if entry is None or not self._allowed("rename"):
            return

        async def rename(name: str) -> reports.Report:
            assert self.client is not None
            result = await ops.rename(self.client, ops.Found.of(entry), name)
            return reports.renamed(result, entry.path, name)

        def chosen(name: str | None) -> None:
            if name and name.strip() and name != labels.entry_name(entry):
                self._run("renaming…", rename(name))

        self.push_screen(
            PromptScreen(
                f"Rename {labels.visible(labels.entry_name(entry))}", value=labels.entry_name(entry)
            ),
            chosen,
        )

    def action_move(self) -> None:
        self._choose_folder_then("move")

    def action_link(self) -> None:
        self._choose_folder_then("link")

    def _choose_folder_then(self, verb: str) -> None:
        entries = self.project_tree.selection()
        if not entries or not self._allowed(verb):
            return
        assert self.client is not None
        what = (
            labels.visible(labels.entry_name(entries[0]))
            if len(entries) == 1
            else reports.count_entries(len(entries))
        )
        title = f"Move {what} to folder" if verb == "move" else f"Link {what} into folder"

        def chosen(destination: str | None) -> None:
            if destination is None:
                return
            self._confirm_big_then(verb, entries, destination.strip().rstrip("/"))

        self.push_screen(
            PromptScreen(
                title,
                value=paths.parent(entries[0].path) + "/" if paths.parent(entries[0].path) else "",
                placeholder="folder path, e.g. Marketing/Q4",
                help_text="→: accept completion · ↓: choose · enter: OK · esc: cancel",
                folders_from=self.client,
            ),
            chosen,
        )

    @work(group="changes")
    async def _confirm_big_then(
        self, verb: str, entries: list[FileSystemEntry], destination: str
    ) -> None:
        """Above CONFIRM_ABOVE entries in the folders involved, ask first, with the count."""
        assert self.client is not None
        total = 0
        for entry in entries:
            if entry.is_folder:
                try:
                    total += (await self.client.count(entry.id)).count
                except ApiError as error:
                    self.status.fail(describe(error))
                    return
        if total > CONFIRM_ABOVE:
            question = ConfirmScreen(
                f"{verb.title()} {total:,} entries?",
                f"The folders hold {total:,} entries; all of them will "
                + ("move along." if verb == "move" else "be linked."),
                yes=verb.title(),
            )
            if not await self.push_screen_wait(question):
                self.status.say("Cancelled")
                return
        sources = [ops.Found.of(entry) for entry in entries]
        where = ops.Destination.into(destination)
        if verb == "move":
            known = self.project_tree.known_folders()
            moved = await ops.move(self.client, sources, where, known_folders=known)
            report = reports.moved(moved, destination)
        else:
            report = reports.linked(await ops.link(self.client, sources, where), destination)
        self.project_tree.clear_marks()
        self._report(report)

    def action_cut(self) -> None:
        entries = self.project_tree.selection()
        if not entries:
            return
        tree = self.project_tree
        tree.clear_marks()  # the marked rows now show as cut instead
        tree.set_cut(entries)
        self.status.say(
            f"Cut {reports.count_entries(len(entries))}: p pastes into a folder, esc puts it away"
        )

    def action_paste(self) -> None:
        if not self.cut_entries:
            self.status.fail("Nothing to paste: cut entries with x first")
            return
        if not self._allowed("paste"):
            return
        destination = self.project_tree.folder_of_cursor()
        entries = self.cut_entries
        self.project_tree.set_cut([])
        self._confirm_big_then("move", entries, destination)

    def action_delete(self) -> None:
        entries = self.project_tree.selection()
        if not entries or not self._allowed("delete"):
            return
        self._confirm_delete(entries)

    # Described, not the repr of every entry (Textual's default, on the event loop).
    @work(group="changes", description="confirm a delete")
    async def _confirm_delete(self, entries: list[FileSystemEntry]) -> None:
        """Say exactly what goes (the plan ``hogtree rm`` shows too), then delete."""
        assert self.client is not None
        targets = [ops.Found.of(entry) for entry in entries]
        counting = self.status.busy("counting…", replaces_message=True)
        try:
            plan = await ops.plan_delete(
                self.client,
                targets,
                lambda read, total: counting.update(f"counting… {read:,} of {total:,}"),
            )
        except (ApiError, ops.ChangeRefused) as error:
            self.status.fail(describe(error) if isinstance(error, ApiError) else str(error))
            return
        finally:
            counting.end()
        question = ConfirmScreen("Delete?", delete_question(plan), yes="Delete", danger=True)
        if not await self.push_screen_wait(question):
            self.status.say("Cancelled")
            return
        with self.status.busy("deleting…"):
            result = await ops.delete(self.client, targets)
        self.project_tree.clear_marks()
        self._report(reports.deleted(result, len(targets)))

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.status.fail("Nothing to undo")
            return
        if not self._allowed("undo"):
            return
        step = self.undo_stack.pop()
        self._run_step(f"undoing {step.description}…", step, redo=False)

    def action_redo(self) -> None:
        if not self.redo_stack:
            self.status.fail("Nothing to redo")
            return
        if not self._allowed("redo"):
            return
        step = self.redo_stack.pop()
        self._run_step(f"redoing: {step.done_text}…", step, redo=True)

    @work(group="changes")
    async def _run_step(self, what: str, step: ops.Undo, *, redo: bool) -> None:
        """Undo a change (then U can make it again) or redo one (then u undoes it again)."""
        assert self.client is not None
        with self.status.busy(what):
            try:
                if redo:
                    report = reports.redone(await step.redo(self.client), step)
                else:
                    result = await step.run(self.client)
                    report = reports.undone(result, step)
                    if not result.failures:
                        self.redo_stack.append(step)
            except ApiError as error:  # the steps catch their own; this is a last resort
                self.status.fail(describe(error))
                return
        self._report(report, new_change=False)

    # ------------------------------------------------------------------ the tree's extras

    def action_shortcut(self) -> None:
        """``S``: add the entry under the cursor to Shortcuts, or take it out if it is one."""
        if not self._allowed("shortcut"):
            return
        tree = self.project_tree
        pinned = tree.cursor_pinned
        if pinned is not None and pinned.shortcut is not None:
            self._unstar(pinned.shortcut, pinned.name)
            return
        entry = tree.cursor_entry
        if entry is None:
            self.status.say("No entry here to add to Shortcuts")
            return
        self._toggle_star(entry)

    @work(group="changes")
    async def _toggle_star(self, entry: FileSystemEntry) -> None:
        assert self.client is not None
        name = labels.visible(labels.entry_name(entry))
        try:
            with self.status.busy(f"updating Shortcuts ({name})…", replaces_message=True):
                toggled = await shortcut_ops.toggle(self.client, entry)
        except ApiError as error:
            self.status.fail(f"Could not change Shortcuts ({name}): {describe(error)}")
            return
        where = "Added to" if toggled.added else "Removed from"
        self.status.say(f"{where} Shortcuts: {name}", Level.SUCCESS)
        self.project_tree.refresh_sections(only="shortcuts")

    @work(group="changes")
    async def _unstar(self, shortcut: Shortcut, name: str) -> None:
        assert self.client is not None
        shown = labels.visible(name)
        try:
            with self.status.busy(f"removing {shown} from Shortcuts…", replaces_message=True):
                await shortcut_ops.remove(self.client, shortcut)
        except ApiError as error:
            self.status.fail(f"Could not remove {shown} from Shortcuts: {describe(error)}")
            return
        self.status.say(f"Removed from Shortcuts: {shown}", Level.SUCCESS)
        self.project_tree.refresh_sections(only="shortcuts")

    def action_file_unfiled(self) -> None:
        """The palette's "File unfiled objects": PostHog files every object that has no
        entry yet under ``Unfiled/``; the folders it wrote into are read again."""
        if self._allowed("file_unfiled"):
            self._file_unfiled()

    @work(group="changes")
    async def _file_unfiled(self) -> None:
        assert self.client is not None
        try:
            with self.status.busy("filing unfiled objects…", replaces_message=True):
                filed = await unfiled_ops.file_unfiled(self.client)
        except ApiError as error:
            self.status.fail(f"Could not file unfiled objects: {describe(error)}")
            return
        self.status.say(reports.filed_unfiled(filed), Level.SUCCESS)
        if filed:
            self.project_tree.reload_folders(unfiled_ops.touched_folders())

    def action_switch_project(self) -> None:
        """``P``: another project of the organisation; the tree and the panes start over."""
        if not self._allowed("switch_project"):
            return
        assert self.client is not None
        self.push_screen(ProjectsScreen(self.client, self.client.project_id), self._switch_to)

    def _switch_to(self, project: ProjectSummary | None) -> None:
        old = self.client
        if project is None or old is None or project.id == old.project_id:
            return
        client = old.for_project(project.id)
        self.client = client
        # What was set aside or could be undone belongs to the other project.
        self.undo_stack.clear()
        self.redo_stack.clear()
        tree = self.project_tree
        tree.clear_marks()
        tree.set_cut([])
        self.side_pane.connect(
            client,
            self.status,
            download_dir=self.download_dir,
            web_host=self.backend.web_host,
            project_id=project.id,
        )
        tree.start(client, self.status)
        tree.focus()
        name = labels.visible(project.name or f"project {project.id}")
        self.sub_title = f"{self.backend.place} · {name} (project {project.id})" + (
            " · read-only" if self.read_only else ""
        )
        self.status.say(f"Opened {name} (project {project.id})", Level.SUCCESS)
        self._close_later(old)

    @work(group="close")
    async def _close_later(self, client: PostHogClient) -> None:
        await client.aclose()

    @property
    def project_id(self) -> int:
        """The project shown: the backend's, until the user switches."""
        return self.client.project_id if self.client is not None else self.backend.project_id

    def action_count(self) -> None:
        entry = self.project_tree.cursor_entry
        if entry is None or not self._allowed("count"):
            return
        if not entry.is_folder:
            self.status.fail("Count works on folders")
            return
        self._count(entry)

    @work(group="count")
    async def _count(self, folder: FileSystemEntry) -> None:
        assert self.client is not None
        try:
            with self.status.busy("counting…", replaces_message=True):
                result = await self.client.count(folder.id)
        except ApiError as error:
            self.status.fail(describe(error))
            return
        self.status.say(f"{labels.visible(labels.entry_name(folder))}: {result.count:,} entries")
        await self.push_screen(CountScreen(folder, result))

    def action_export(self) -> None:
        """Exports tab on screen, then a format for the insight or dashboard under the cursor
        (not a change to the project: allowed in read-only mode)."""
        if not self._allowed("export"):
            return
        self.side_pane.export(self.project_tree.cursor_entry)

    def action_copy_path(self) -> None:
        """The entry's path as ``hogtree mv``/``ls``/``rm`` take it, quoted for the shell."""
        entry = self.project_tree.cursor_entry
        if entry is None:
            return
        copied = shell_path(entry.path)
        if copied is None:
            # A line break pasted into a shell would run what follows it.
            shown = labels.visible(entry.path)
            self.status.fail(f"Not copied: this path holds control characters: {shown}")
            return
        self.copy_to_clipboard(copied)
        self.status.say(f"Copied the path {copied}")

    def action_copy_url(self) -> None:
        entry = self.project_tree.cursor_entry
        if entry is None:
            return
        if self.backend.is_local:
            # The local server has the API only: a URL of its would answer 404.
            self.status.fail("The local demo has no web UI: no URL to copy (y copies the path)")
            return
        url = web_url(self.backend.web_host, self.project_id, entry)
        if url is None:
            self.status.fail("This entry has no web page")
            return
        if labels.visible(url) != url or any(char.isspace() for char in url):
            # The href comes from the server: a line break in it, pasted into a shell,
            # would run what follows.
            self.status.fail(
                f"Not copied: this entry's URL holds control characters: {labels.visible(url)}"
            )
            return
        # OSC 52: the terminal sets its clipboard, which works over ssh and in tmux.
        self.copy_to_clipboard(url)
        self.status.say(f"Copied {labels.visible(url)}")

    def action_events(self) -> None:
        """The Events tab on screen, its table focused."""
        self.side_pane.open("events")

    def action_reload(self) -> None:
        if self.client is None:
            self.status.say("Reconnecting…")
            self._start_connecting()
            return
        self.status.clear()
        section = self.project_tree.section_of_cursor()
        if section is not None:
            self.project_tree.load_section(section)
            return
        path = self.project_tree.folder_to_reload()
        self._say_reloaded(path, self.project_tree.reload_folder(path, deep=True))

    # Described, not the repr of every folder held (Textual's default, on the event loop).
    @work(exclusive=True, group="reload", description="say what was reloaded")
    async def _say_reloaded(self, path: str, folders: list[Folder]) -> None:
        """Once the reload is in, say what it read again (a failure has said why already)."""
        await asyncio.gather(*(folder.idle.wait() for folder in folders))
        if not folders or any(folder.reload_failed for folder in folders):
            return
        self.status.say(reports.reloaded(path, len(folders) - 1), Level.SUCCESS)

    def action_switch_focus(self) -> None:
        """Two stops, the tree and the side pane's content: either way, the other one."""
        side = self.side_pane
        if self.project_tree.has_focus and side.display:
            side.focus_content()
        else:
            self.project_tree.focus()

    def action_pane(self, tab: Tab) -> None:
        """``1``/``2``/``3``: that tab on screen (the pane shown if hidden); the focus stays
        in the tree, or moves to the new tab's content if it was in the pane."""
        side = self.side_pane
        in_pane = self.focused is not None and side in self.focused.ancestors
        side.open(tab, focus=in_pane)

    def action_toggle_pane(self) -> None:
        side = self.side_pane
        side.display = not side.display
        if not side.display:
            self.project_tree.focus()
        else:
            side.opened()

    def action_targets(self) -> tuple[DOMNode, ...]:
        """Where the palette runs actions: the tree's first, then the app's."""
        return (self.project_tree, self)

    def action_messages(self) -> None:
        """The message log: every message of the session, in full."""
        self.push_screen(MessagesScreen(self.status.log))

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.key_rows(), self.read_only))

    def key_rows(self) -> list[KeyRow]:
        """Every key the user can press now, from the live bindings (remaps included): the
        screen's as dispatched, and the tree's too while a pane has the focus."""
        tree = self.project_tree
        in_focus = self.screen.focused
        tree_focused = in_focus is not None and tree in in_focus.ancestors_with_self
        return key_rows(self.screen, () if tree_focused else (tree,))
