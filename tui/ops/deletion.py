"""Deleting entries: first the plan (what goes), then the delete, then how to undo it.

Deleting the last entry of an insight, dashboard, flag … deletes the object itself, so the
app's confirmation and ``hogtree rm`` both say what goes before they ask, from the same
:class:`DeletePlan`: every entry inside the folders, however many (``count`` lists only
the first 200 of a folder; past that the folder is paged), and the objects among them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import anyio

from tui import paths
from tui.api import ApiError, PostHogClient
from tui.models import DeletedObject, FileSystemEntry
from tui.ops.errors import ChangeRefused
from tui.ops.resolve import Found, lookup, materialize
from tui.ops.results import Deleted, DeleteResult, Failure, UndoResult

# Entries asked for per page when a folder is too big for count's preview. PostHog may
# clamp it; offsets are counted from what came back, so a smaller page only means more
# requests.
PLAN_PAGE_SIZE = 1000

# Pages read at once past the first: over a 300 ms link a folder of 100,000 entries takes
# 100 pages, 30 s one after the other and about 4 s eight at a time, a load a server takes.
PLAN_PAGES_AT_ONCE = 8

# Targets a confirmation names one by one (about a screenful); past them, "and 12 more".
NAMED_TARGETS = 8

# Hears how far a plan has got: entries read so far, and how many there are to read.
PlanProgress = Callable[[int, int], None]


@dataclass
class DeletePlan:
    """What deleting ``targets`` takes: the entries inside the folders among them, and
    every entry that is not a folder (each may be the last entry of its object)."""

    targets: list[Found]
    inside: int = 0
    items: list[FileSystemEntry] = field(default_factory=list)
    # Entries inside each target, in the order of ``targets`` (0 for what is not a folder).
    inside_each: list[int] = field(default_factory=list)

    def named(self, limit: int = NAMED_TARGETS) -> tuple[list[tuple[Found, int]], int]:
        """The targets a confirmation names, each with the entries inside it, and how many
        more there are past ``limit``."""
        counts = self.inside_each or [0] * len(self.targets)
        shown = list(zip(self.targets, counts, strict=True))[:limit]
        return shown, len(self.targets) - len(shown)

    @property
    def lone_shortcut(self) -> FileSystemEntry | None:
        """The shortcut, when the delete is of one shortcut and nothing else: only the
        shortcut goes, the object it points at stays."""
        if len(self.targets) != 1:
            return None
        entry = self.targets[0].entry
        return entry if entry is not None and entry.shortcut else None

    @property
    def originals(self) -> list[FileSystemEntry]:
        """Items that are not shortcuts: deleting the last one deletes its object."""
        return [item for item in self.items if not item.shortcut]

    @property
    def only_shortcuts(self) -> bool:
        """Whether what goes is shortcuts alone: the objects they point at stay."""
        return bool(self.items) and not self.originals


async def plan_delete(
    client: PostHogClient, targets: Sequence[Found], on_progress: PlanProgress | None = None
) -> DeletePlan:
    """Read (never change) everything a delete of ``targets`` would take."""
    plan = DeletePlan(list(targets))
    for target in targets:
        if target.is_top:
            raise ChangeRefused("the top level cannot be deleted: name the entries inside it")
        if not target.takes_contents:
            assert target.entry is not None  # only a folder can lack its row
            plan.items.append(target.entry)
            plan.inside_each.append(0)
            continue
        inside = await _everything_inside(client, target, on_progress)
        plan.inside += len(inside)
        plan.inside_each.append(len(inside))
        plan.items += [entry for entry in inside if not entry.is_folder]
    return plan


async def _everything_inside(
    client: PostHogClient, folder: Found, on_progress: PlanProgress | None
) -> list[FileSystemEntry]:
    # One request for most folders: count lists the first 200 descendants.
    if folder.entry is not None:
        counted = await client.count(folder.entry.id)
    else:
        counted = await client.count_by_path(folder.path)
    if not counted.has_more:
        return counted.entries
    return await _page_all(client, folder.path, on_progress)


async def _page_all(
    client: PostHogClient, folder: str, on_progress: PlanProgress | None
) -> list[FileSystemEntry]:
    """Every entry below ``folder``. The first page says how many there are and how many a
    page holds (a server may clamp the size asked for); the rest are asked for a few at a
    time, so that a far server's latency is paid once per few pages, not once per page."""
    first = await client.list_entries(parent=folder, limit=PLAN_PAGE_SIZE)
    found = {entry.id: entry for entry in first.results}
    step = len(first.results)
    if not step or step >= first.count:
        return list(found.values())
    total = first.count
    if on_progress is not None:
        on_progress(len(found), total)
    at_once = anyio.Semaphore(PLAN_PAGES_AT_ONCE)

    async def read(offset: int) -> None:
        async with at_once:
            page = await client.list_entries(parent=folder, limit=step, offset=offset)
        found.update((entry.id, entry) for entry in page.results)
        if on_progress is not None:
            on_progress(len(found), total)

    try:
        async with anyio.create_task_group() as pages:
            for offset in range(step, total, step):
                pages.start_soon(read, offset)
    except BaseExceptionGroup as failed:
        # The first page that failed (the others were cancelled): an ApiError, as callers
        # expect of a plan, not a group of one.
        raise failed.exceptions[0] from None
    return list(found.values())


@dataclass(frozen=True)
class Restore:
    """Undoes a delete: PostHog's ``undo_delete`` brings the objects and their entries back.
    A redo deletes again what is at the deleted paths."""

    items: tuple[DeletedObject, ...]
    description: str
    targets: tuple[str, ...] = ()  # the paths the delete was asked for
    done_text: str = ""  # "deleted 2 entries", for a redo's report

    async def run(self, client: PostHogClient) -> UndoResult:
        result = UndoResult(done=0, total=len(self.items))
        result.touched = {paths.parent(item.path or "") for item in self.items}
        try:
            answer = await client.undo_delete(self.items)
        except ApiError as error:
            result.failures.append(Failure(None, error))
            return result
        result.done = len(answer.undone)
        return result

    async def redo(self, client: PostHogClient) -> UndoResult:
        result = UndoResult(done=0, total=len(self.targets))
        found: list[Found] = []
        for path in self.targets:
            result.touched.add(paths.parent(path))
            try:
                target = await lookup(client, path, prefer_folder=True)
            except (ApiError, ChangeRefused) as error:
                result.failures.append(Failure(Found(path, None), error))
                continue
            if target is None:
                gone = ChangeRefused("it is no longer there")
                result.failures.append(Failure(Found(path, None), gone))
                continue
            found.append(target)
        again = await delete(client, found)
        result.done = len(again.done)
        result.failures += again.failures
        result.touched |= again.touched
        result.undo = again.undo
        return result


async def delete(client: PostHogClient, targets: Sequence[Found]) -> DeleteResult:
    """Delete each target (a folder with everything in it); one failing does not stop the
    others. The undo step brings back the objects that can be brought back."""
    result = DeleteResult()
    for target in targets:
        result.touched.add(paths.parent(target.path))
        try:
            entry = await materialize(client, target)
            answer = await client.delete_entry(entry.id)
        except (ApiError, ChangeRefused) as error:
            result.failures.append(Failure(target, error))
            continue
        result.done.append(Deleted(target, entry, answer.deleted))
    restorable = tuple(item for item in result.objects if item.can_undo and item.ref)
    if restorable:
        n = len(result.done)
        what = f"{n} {'entry' if n == 1 else 'entries'}"
        asked = tuple(done.source.path for done in result.done)
        result.undo = Restore(restorable, f"the delete of {what}", asked, f"deleted {what}")
    return result
