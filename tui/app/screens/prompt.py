"""A one-line question: ``enter`` submits, ``esc`` cancels. Optionally with folder-path
completion from the server."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester, SuggestionReady
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui import labels, paths
from tui.api import ApiError, PostHogClient
from tui.app.widgets.safe_input import SafeInput

# How many folder paths the completion list shows.
COMPLETIONS_SHOWN = 8
# Typing pauses this long before the server is asked for completions.
COMPLETION_DEBOUNCE_S = 0.15


async def folder_completions(client: PostHogClient, typed: str) -> list[str]:
    """Folder paths that start with ``typed`` (case-insensitively), from the server."""
    segments = paths.split(typed)
    if typed.endswith("/") or not segments:
        # "Marketing/" → the folders inside Marketing; "" → the top-level folders.
        parent = paths.join(segments)
        page = await client.list_entries(
            parent=parent or None, depth=len(segments) + 1, type="folder", limit=50
        )
    else:
        # "Marketing/Cam" → folders named like "Cam…" under Marketing.
        page = await client.list_entries(
            parent=paths.join(segments[:-1]) or None,
            depth=len(segments),
            type="folder",
            search=f'name:"{segments[-1]}"',
            search_name_only=True,
            limit=50,
        )
    wanted = typed.casefold()
    found = [e.path for e in page.results if e.path.casefold().startswith(wanted)]
    return sorted(found, key=str.casefold)


class FolderLookup:
    """One prompt's folder completions, asked of the server once per value typed: the inline
    suggestion and the list below it share each answer (they used to ask one each, and the
    suggestion asked at every key typed)."""

    def __init__(self, client: PostHogClient) -> None:
        self.client = client
        self._asked: dict[str, asyncio.Future[list[str]]] = {}

    async def completions(self, typed: str) -> list[str]:
        asked = self._asked.get(typed)
        if asked is None:
            asked = asyncio.ensure_future(folder_completions(self.client, typed))
            # Nobody may wait for it any more (the prompt closed): its failure is no news.
            asked.add_done_callback(lambda done: done.cancelled() or done.exception())
            self._asked[typed] = asked
        try:
            # Shielded: one asker giving up (typing went on) leaves the answer to the other.
            return await asyncio.shield(asked)
        except ApiError:
            self._asked.pop(typed, None)  # ask afresh next time
            raise


class FolderSuggester(Suggester):
    """Inline completion of a folder path (accept it with ``→``)."""

    def __init__(self, lookup: FolderLookup) -> None:
        # Textual's cache would keep the "no suggestion" of a value typed past; the lookup
        # keeps the answers instead.
        super().__init__(use_cache=False, case_sensitive=True)
        self.lookup = lookup
        self._latest = ""

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        self._latest = value
        # Debounced as the list is: while the user types on, nothing is asked.
        await asyncio.sleep(COMPLETION_DEBOUNCE_S)
        if value != self._latest:
            return None
        try:
            found = await self.lookup.completions(value)
        except ApiError:
            return None
        return found[0] if found else None


class FolderInput(SafeInput):
    """An Input whose inline completion survives being focused.

    Textual's Input drops its suggestion when it gains focus; a suggestion for the value
    it opened with may arrive before that (a fast server), and would be lost. Ask again.
    """

    def on_focus(self) -> None:
        if self.suggester is not None and self.value:
            self.run_worker(self._suggest(self.suggester, self.value))

    async def _suggest(self, suggester: Suggester, value: str) -> None:
        suggestion = await suggester.get_suggestion(value)
        if suggestion is not None:
            self.post_message(SuggestionReady(value, suggestion))


class PromptScreen(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt_cancel"),
        Binding("down", "focus_list", "Choices", show=False, id="prompt_choices"),
    ]

    def __init__(
        self,
        title: str,
        *,
        value: str = "",
        placeholder: str = "",
        help_text: str = "",
        folders_from: PostHogClient | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.initial = value
        self.placeholder = placeholder
        self.help_text = help_text
        self.client = folders_from
        self.lookup = FolderLookup(folders_from) if folders_from is not None else None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            # One line however long the name in it: the dialog keeps its shape.
            title = Text(self.title_text, style="bold", no_wrap=True, overflow="ellipsis")
            yield Static(title, id="dialog-title")
            yield FolderInput(
                value=self.initial,
                placeholder=self.placeholder,
                suggester=FolderSuggester(self.lookup) if self.lookup else None,
                id="prompt-input",
            )
            if self.client is not None:
                yield OptionList(id="prompt-choices")
            yield Static(
                Text(self.help_text or "enter: OK · esc: cancel", style="dim"), id="dialog-help"
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self.client is not None:
            self._complete(self.initial)

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        self.dismiss(self.raw_name(event.value))

    def raw_name(self, shown: str) -> str:
        """The name as the server has it for ``shown``, when it was offered (the value the
        prompt opened with, a completion, a folder chosen); what the user typed otherwise."""
        field = self.query_one(FolderInput)
        if (raw := field.original(shown)) is not None:
            return raw
        if shown.endswith("/") and (raw := field.original(shown[:-1])) is not None:
            return raw + "/"  # a folder taken from the list, "/" typed after it
        return shown

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        if self.client is not None:
            self._complete(event.value)

    @work(exclusive=True, group="completions")
    async def _complete(self, typed: str) -> None:
        assert self.lookup is not None
        await self._sleep(COMPLETION_DEBOUNCE_S)
        try:
            found = await self.lookup.completions(typed)
        except ApiError:
            return
        shown = self.query("#prompt-choices").results(OptionList)
        choices = next(shown, None)
        if choices is None:  # the prompt was answered while the server was asked
            return
        choices.clear_options()
        for path in found[:COMPLETIONS_SHOWN]:
            choices.add_option(Option(labels.display_path(path), id=path))

    async def _sleep(self, seconds: float) -> None:
        import asyncio

        await asyncio.sleep(seconds)

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            field = self.query_one(Input)
            field.value = event.option.id
            field.cursor_position = len(field.value)
            field.focus()

    def action_focus_list(self) -> None:
        if self.client is not None:
            self.query_one("#prompt-choices", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
