"""list, upload, download and delete against real servers, on each protocol in turn."""

from __future__ import annotations

import base64
import os
from datetime import datetime
from typing import Any

import pytest

from scenarist.apps.ftp import DELETE, DOWNLOAD, LIST, UPLOAD
from scenarist.sdk import ConnectionError, DataError
from tests.apps.ftp.conftest import Server


async def test_upload_stores_text_and_reports_path_and_size(server: Server, run: Any) -> None:
    out = await run(UPLOAD, {"path": "hello.txt", "content": "Grüße\n"}, server.connection())
    assert out == {"path": "hello.txt", "size": len("Grüße\n".encode())}
    assert (server.home / "hello.txt").read_text("utf-8") == "Grüße\n"


async def test_upload_decodes_base64_content(server: Server, run: Any) -> None:
    payload = bytes(range(256))
    params = {"path": "bin.dat", "content": base64.b64encode(payload).decode(), "encoding": "base64"}
    out = await run(UPLOAD, params, server.connection())
    assert out["size"] == 256
    assert (server.home / "bin.dat").read_bytes() == payload


async def test_upload_of_invalid_base64_is_a_data_error(server: Server, run: Any) -> None:
    params = {"path": "bin.dat", "content": "not base64!", "encoding": "base64"}
    with pytest.raises(DataError, match="base64"):
        await run(UPLOAD, params, server.connection())


async def test_upload_replaces_an_existing_file_by_default(server: Server, run: Any) -> None:
    (server.home / "a.txt").write_text("old")
    await run(UPLOAD, {"path": "a.txt", "content": "new"}, server.connection())
    assert (server.home / "a.txt").read_text() == "new"


async def test_upload_without_overwrite_refuses_an_existing_file(server: Server, run: Any) -> None:
    (server.home / "a.txt").write_text("old")
    with pytest.raises(DataError, match="already exists"):
        await run(UPLOAD, {"path": "a.txt", "content": "new", "overwrite": False}, server.connection())
    assert (server.home / "a.txt").read_text() == "old"
    await run(UPLOAD, {"path": "b.txt", "content": "fresh", "overwrite": False}, server.connection())
    assert (server.home / "b.txt").read_text() == "fresh"


async def test_upload_creates_missing_folders_when_asked(server: Server, run: Any) -> None:
    params = {"path": "out/2024/03/r.csv", "content": "x", "create_folders": True}
    await run(UPLOAD, params, server.connection())
    assert (server.home / "out" / "2024" / "03" / "r.csv").read_text() == "x"


async def test_upload_into_a_missing_folder_is_a_data_error(server: Server, run: Any) -> None:
    with pytest.raises(DataError):
        await run(UPLOAD, {"path": "nowhere/r.csv", "content": "x"}, server.connection())


async def test_download_returns_base64_content_and_a_content_type(server: Server, run: Any) -> None:
    (server.home / "data.json").write_bytes(b'{"a": 1}')
    out = await run(DOWNLOAD, {"path": "data.json"}, server.connection())
    assert out == {
        "path": "data.json",
        "name": "data.json",
        "size": 8,
        "content_type": "application/json",
        "content": base64.b64encode(b'{"a": 1}').decode(),
        "encoding": "base64",
    }


async def test_download_as_text_returns_text(server: Server, run: Any) -> None:
    (server.home / "notes").mkdir()
    (server.home / "notes" / "n.txt").write_text("line 1\nžluťoučký\n", "utf-8")
    out = await run(DOWNLOAD, {"path": "notes/n.txt", "as_text": True}, server.connection())
    assert out["content"] == "line 1\nžluťoučký\n"
    assert out["encoding"] == "text" and out["content_type"] == "text/plain"


async def test_download_as_text_of_binary_is_a_data_error(server: Server, run: Any) -> None:
    (server.home / "x.bin").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(DataError, match="not UTF-8"):
        await run(DOWNLOAD, {"path": "x.bin", "as_text": True}, server.connection())


async def test_download_of_a_missing_file_is_a_data_error(server: Server, run: Any) -> None:
    with pytest.raises(DataError):
        await run(DOWNLOAD, {"path": "missing.txt"}, server.connection())


async def test_download_over_max_bytes_is_a_data_error(server: Server, run: Any) -> None:
    (server.home / "big.bin").write_bytes(b"x" * 300_000)
    with pytest.raises(DataError, match="max_bytes"):
        await run(DOWNLOAD, {"path": "big.bin", "max_bytes": 100_000}, server.connection())


async def test_download_output_uploads_back_unchanged(server: Server, run: Any) -> None:
    (server.home / "orig.bin").write_bytes(os.urandom(1000))
    got = await run(DOWNLOAD, {"path": "orig.bin"}, server.connection())
    params = {"path": "copy.bin", "content": got["content"], "encoding": got["encoding"]}
    await run(UPLOAD, params, server.connection())
    assert (server.home / "copy.bin").read_bytes() == (server.home / "orig.bin").read_bytes()


async def test_a_few_megabytes_make_the_round_trip_intact(server: Server, run: Any) -> None:
    payload = os.urandom(5 * 1024 * 1024 + 123)
    params = {"path": "large.bin", "content": base64.b64encode(payload).decode(), "encoding": "base64"}
    assert (await run(UPLOAD, params, server.connection()))["size"] == len(payload)
    assert (server.home / "large.bin").read_bytes() == payload
    got = await run(DOWNLOAD, {"path": "large.bin"}, server.connection())
    assert got["size"] == len(payload)
    assert base64.b64decode(got["content"]) == payload


async def test_list_returns_one_bundle_per_entry(server: Server, run: Any) -> None:
    (server.home / "b.csv").write_text("12345")
    (server.home / "a.txt").write_text("1")
    (server.home / "sub").mkdir()
    out = await run(LIST, {}, server.connection())
    assert [(e["name"], e["path"], e["type"]) for e in out] == [
        ("sub", "sub", "dir"),
        ("a.txt", "a.txt", "file"),
        ("b.csv", "b.csv", "file"),
    ]
    csv = out[2]
    assert csv["size"] == 5
    expected = int((server.home / "b.csv").stat().st_mtime)
    assert int(datetime.fromisoformat(csv["modified"]).timestamp()) == expected


async def test_list_of_a_subfolder_gives_paths_inside_it(server: Server, run: Any) -> None:
    (server.home / "in").mkdir()
    (server.home / "in" / "x.csv").write_text("x")
    out = await run(LIST, {"folder": "in"}, server.connection())
    assert [(e["name"], e["path"]) for e in out] == [("x.csv", "in/x.csv")]
    absolute = await run(LIST, {"folder": "/in"}, server.connection())
    assert [e["path"] for e in absolute] == ["/in/x.csv"]


async def test_list_filters_by_pattern_type_and_limit(server: Server, run: Any) -> None:
    for name in ("1.csv", "2.csv", "3.csv", "notes.txt"):
        (server.home / name).write_text(name)
    (server.home / "dir.csv").mkdir()
    files = await run(LIST, {"pattern": "*.csv", "type": "file"}, server.connection())
    assert [e["name"] for e in files] == ["1.csv", "2.csv", "3.csv"]
    dirs = await run(LIST, {"type": "dir"}, server.connection())
    assert [e["name"] for e in dirs] == ["dir.csv"]
    limited = await run(LIST, {"pattern": "*.csv", "type": "file", "limit": 2}, server.connection())
    assert len(limited) == 2


async def test_list_of_an_empty_folder_is_empty(server: Server, run: Any) -> None:
    assert await run(LIST, {}, server.connection()) == []


async def test_list_of_a_missing_folder_is_a_data_error(server: Server, run: Any) -> None:
    with pytest.raises(DataError):
        await run(LIST, {"folder": "no/such/folder"}, server.connection())


async def test_delete_removes_the_file(server: Server, run: Any) -> None:
    (server.home / "old.log").write_text("bye")
    out = await run(DELETE, {"path": "old.log"}, server.connection())
    assert out == {"path": "old.log", "deleted": True}
    assert not (server.home / "old.log").exists()


async def test_delete_of_a_missing_file_is_a_data_error(server: Server, run: Any) -> None:
    with pytest.raises(DataError):
        await run(DELETE, {"path": "ghost.txt"}, server.connection())


async def test_paths_cannot_climb_out_of_the_servers_root(server: Server, run: Any) -> None:
    outside = server.home.parent / "escaped.txt"
    params = {"path": "../escaped.txt", "content": "x"}
    await run(UPLOAD, params, server.connection())
    assert not outside.exists()
    assert (server.home / "escaped.txt").read_text() == "x"
    with pytest.raises(DataError):
        await run(DOWNLOAD, {"path": "../../../../../../etc/hostname"}, server.connection())
    listing = await run(LIST, {"folder": "../.."}, server.connection())
    assert {e["name"] for e in listing} == {"escaped.txt"}
    with pytest.raises(DataError):
        await run(DOWNLOAD, {"path": "/etc/hostname"}, server.connection())


async def test_the_egress_guard_is_asked_and_its_address_used(server: Server, run: Any, egress: Any) -> None:
    relaxed = {"tls_verify": False} if server.connection_type == "ftp.ftp" else {}
    await run(LIST, {}, server.connection(host="files.example.test", **relaxed))
    assert egress.asked == [("files.example.test", server.fields["port"])]


async def test_a_destination_refused_by_egress_is_never_contacted(server: Server, run: Any, egress: Any) -> None:
    egress.refuse = True
    with pytest.raises(ConnectionError, match="not an allowed destination"):
        await run(LIST, {}, server.connection())
