"""``ftp.watch``: a polling trigger for new and changed files in one folder.

The cursor kept in ``ctx.state`` is what the folder held at the last poll:
each matching file's name with its modification time and size. A poll reports
the files that are not in the cursor (``change: "new"``) or whose time or size
differ (``"changed"``), oldest first, at most ``limit``; files it did not report
stay out of the cursor, so the next poll (or the next cycle of the same run)
picks them up. Deleted files leave the cursor, so a file put back is new again.
Changing the folder or the pattern starts afresh, as on the first poll.

A file rewritten within the same second with the same size is not seen as
changed: servers give times to the second.
"""

from __future__ import annotations

from typing import Any

from scenarist.apps.ftp._entries import Entry
from scenarist.apps.ftp._modules import matching, session_for
from scenarist.apps.ftp._params import WatchParams
from scenarist.sdk import Bundle, RunContext


def state_key(ctx: RunContext) -> str:
    """Where the cursor of this step lives in the scenario's state."""
    return f"ftp.watch:{ctx.step_id}"


def _known(cursor: Any, params: WatchParams) -> dict[str, Any] | None:
    """The files of a cursor made with the same folder and pattern, else None."""
    if not isinstance(cursor, dict) or not isinstance(cursor.get("files"), dict):
        return None
    if cursor.get("folder") != params.folder or cursor.get("pattern") != params.pattern:
        return None
    return dict(cursor["files"])


def _changes(files: list[Entry], known: dict[str, Any]) -> list[tuple[Entry, str]]:
    found = []
    for entry in files:
        before = known.get(entry.name)
        if before is None:
            found.append((entry, "new"))
        elif before != entry.signature:
            found.append((entry, "changed"))
    found.sort(key=lambda pair: (pair[0].modified is None, pair[0].modified or 0, pair[0].name))
    return found


async def run_watch(ctx: RunContext, params: WatchParams) -> list[Bundle]:
    async with session_for(ctx) as session:
        entries = await session.list_folder(params.folder)
    files = [entry for entry in matching(entries, params.pattern) if entry.type == "file"]
    known = _known(await ctx.state.get(state_key(ctx)), params)
    if known is None and params.since == "now":
        await _save(ctx, params, {entry.name: entry.signature for entry in files})
        return []
    reported = _changes(files, known or {})[: params.limit]
    names = {entry.name for entry in files}
    cursor = {name: sig for name, sig in (known or {}).items() if name in names}
    cursor.update({entry.name: entry.signature for entry, _ in reported})
    await _save(ctx, params, cursor)
    return [{**entry.to_bundle(), "change": change} for entry, change in reported]


async def _save(ctx: RunContext, params: WatchParams, files: dict[str, Any]) -> None:
    await ctx.state.set(state_key(ctx), {"folder": params.folder, "pattern": params.pattern, "files": files})
