"""The params of the FTP modules, as data: the UI form and the docs come from here.

Paths are the server's: relative to the login directory or absolute, ``/``
separated. Control characters are refused outright, so that a path can never
carry a second FTP command (``"a.txt\\r\\nDELE b.txt"``).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_DOWNLOAD_BYTES = 1024 * 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _clean(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("the path contains control characters (line breaks, tabs, NUL)")
    return value


def _file_path(value: str) -> str:
    value = _clean(value)
    if not value.strip() or value.endswith("/"):
        raise ValueError("give the path of a file, like reports/2024.csv")
    return value


FolderPath = Annotated[str, AfterValidator(_clean)]
FilePath = Annotated[str, AfterValidator(_file_path)]

_FOLDER = Field(
    default="",
    description="Folder on the server, relative to the login directory or absolute; empty: the login directory.",
    examples=["incoming/invoices"],
)
_PATTERN = Field(
    default=None,
    description="Only names matching this shell pattern (* ? [abc]), compared case-sensitively.",
    examples=["*.csv"],
)


class ListParams(BaseModel):
    """Which folder to list, and which of its entries to return."""

    model_config = ConfigDict(extra="forbid")

    folder: FolderPath = _FOLDER
    pattern: str | None = _PATTERN
    type: Literal["all", "file", "dir"] = Field(
        default="all", description="Return files, folders or both.", examples=["file"]
    )
    limit: int = Field(default=1000, ge=1, le=100_000, description="Return at most this many entries.", examples=[100])


class UploadParams(BaseModel):
    """What to store, and where."""

    model_config = ConfigDict(extra="forbid")

    path: FilePath = Field(description="Where to store the file on the server.", examples=["outgoing/report.csv"])
    content: str = Field(
        description="The file's content: text, or base64 when encoding is base64 "
        "(e.g. the content of an ftp.download).",
        examples=["id,amount\n1,9.90\n"],
    )
    encoding: Literal["text", "base64"] = Field(
        default="text",
        description="text: content is stored as UTF-8; base64: content is decoded from base64 first.",
        examples=["text"],
    )
    overwrite: bool = Field(
        default=True, description="Replace a file already at path; when false that is an error.", examples=[True]
    )
    create_folders: bool = Field(
        default=False, description="Create the missing folders of path first.", examples=[False]
    )


class DownloadParams(BaseModel):
    """Which file to fetch, and how to return it."""

    model_config = ConfigDict(extra="forbid")

    path: FilePath = Field(description="The file on the server.", examples=["incoming/orders.json"])
    as_text: bool = Field(
        default=False,
        description="Return content as UTF-8 text instead of base64 (an error when it is not UTF-8).",
        examples=[False],
    )
    max_bytes: int = Field(
        default=50 * 1024 * 1024,
        ge=1,
        le=MAX_DOWNLOAD_BYTES,
        description="Refuse files larger than this many bytes (at most 1 GiB).",
        examples=[10_485_760],
    )


class DeleteParams(BaseModel):
    """Which file to remove."""

    model_config = ConfigDict(extra="forbid")

    path: FilePath = Field(description="The file on the server.", examples=["incoming/processed/orders.json"])


class WatchParams(BaseModel):
    """Which folder to watch for new and changed files."""

    model_config = ConfigDict(extra="forbid")

    folder: FolderPath = _FOLDER
    pattern: str | None = _PATTERN
    since: Literal["now", "all"] = Field(
        default="now",
        description="On the first poll, now: only remember what is there (report later changes); "
        "all: report every file already there.",
        examples=["now"],
    )
    limit: int = Field(
        default=100,
        ge=1,
        le=10_000,
        description="Report at most this many files per poll, oldest first; the rest come on the next poll.",
        examples=[100],
    )
