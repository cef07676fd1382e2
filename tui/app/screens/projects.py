"""Choosing another project (``P``): the organisation's projects the key may open.

The list is asked for when the dialog opens (in a worker: the dialog is up at once and
says it is loading); the current project is marked and highlighted. ``enter`` answers the
highlighted project, ``esc`` answers ``None``.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui import labels
from tui.api import ApiError, PostHogClient
from tui.app.errors import describe
from tui.models.accounts import ProjectSummary


def project_label(project: ProjectSummary, *, current: bool) -> Text:
    """``● Demo project  #1 · Hogtree Demo``: the name literally, its id, its organisation."""
    text = Text("● " if current else "  ", style="bold yellow")
    text.append_text(labels.literal(project.name or f"project {project.id}"))
    text.append(f"  #{project.id}", style="dim")
    if project.organization_name:
        text.append(f" · {labels.visible(project.organization_name)}", style="dim")
    return text


class ProjectsScreen(ModalScreen[ProjectSummary | None]):
    DEFAULT_CSS = """
    ProjectsScreen {
        align: center middle;
    }
    ProjectsScreen #dialog {
        width: 60;
        max-width: 100%;
    }
    ProjectsScreen #projects {
        height: auto;
        max-height: 16;
        border: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="projects_cancel"),
    ]

    def __init__(self, client: PostHogClient, current: int) -> None:
        super().__init__()
        self.client = client
        self.current = current
        self.projects: list[ProjectSummary] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Switch project", style="bold"), id="dialog-title")
            yield OptionList(id="projects")
            yield Static(Text("loading the projects…", style="italic dim"), id="projects-note")
            yield Static(Text("enter: open · esc: cancel", style="dim"), id="dialog-help")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self._load()

    @work(exclusive=True, group="projects")
    async def _load(self) -> None:
        note = self.query_one("#projects-note", Static)
        try:
            projects = await self.client.accounts.projects()
        except ApiError as error:
            note.update(Text(f"Could not list the projects: {describe(error)}", style="red"))
            return
        self.projects = projects
        options = self.query_one(OptionList)
        options.add_options(
            Option(project_label(p, current=p.id == self.current), id=str(p.id)) for p in projects
        )
        note.display = not projects
        note.update(Text("(no project this key may open)", style="italic dim"))
        here = [i for i, p in enumerate(projects) if p.id == self.current]
        if projects:
            options.highlighted = here[0] if here else 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.projects[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
