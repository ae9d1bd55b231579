"""The FTP app described as data: modules, connection types, params, and the listing parsers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from scenarist.apps.ftp import (
    DELETE,
    DOWNLOAD,
    LIST,
    UPLOAD,
    WATCH,
    DownloadParams,
    FtpFields,
    ListParams,
    SftpFields,
    UploadParams,
    app,
)
from scenarist.apps.ftp._connection import connection_fields
from scenarist.apps.ftp._entries import from_list_line, from_mlsd, parse_mlsd_time
from scenarist.sdk import InvalidConfigurationError

NOW = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)


def test_app_declares_five_modules_over_both_connection_types() -> None:
    assert app.key == "ftp"
    assert [m.key for m in app.modules] == ["list", "upload", "download", "delete", "watch"]
    for spec in app.modules:
        assert spec.connection_types == ("ftp.ftp", "ftp.sftp")
        assert spec.connection_required
    assert (LIST.kind, UPLOAD.kind, DOWNLOAD.kind, DELETE.kind) == ("search", "action", "action", "action")
    assert WATCH.kind == "search" and WATCH.polling


def test_connection_types_name_their_secret_fields() -> None:
    secrets = {ct.key: ct.secret_fields for ct in app.connection_types}
    assert secrets == {"ftp.ftp": ("password",), "ftp.sftp": ("password", "private_key", "passphrase")}
    assert all(ct.test is not None for ct in app.connection_types)


def test_every_param_has_a_description_and_an_example() -> None:
    for spec in app.modules:
        for name, schema in spec.params_schema()["properties"].items():
            assert schema.get("description"), (spec.key, name)
            assert schema.get("examples"), (spec.key, name)


def test_every_connection_field_has_a_description_and_an_example() -> None:
    for ct in app.connection_types:
        for name, schema in ct.fields.model_json_schema()["properties"].items():
            assert schema.get("description") and schema.get("examples"), (ct.key, name)


def test_ftp_connection_is_secure_by_default() -> None:
    fields = FtpFields.model_validate({"host": "ftp.example.com", "username": "ada", "password": "x"})
    assert fields.security == "explicit_tls"
    assert fields.tls_verify and fields.passive
    assert fields.effective_port == 21


def test_implicit_tls_defaults_to_port_990() -> None:
    fields = FtpFields.model_validate({"host": "ftp.example.com", "security": "implicit_tls"})
    assert fields.effective_port == 990


def test_sftp_connection_refuses_unknown_host_keys_by_default() -> None:
    fields = SftpFields.model_validate({"host": "sftp.example.com", "username": "ada", "password": "x"})
    assert fields.port == 22
    assert fields.accept_unknown_host_key is False
    assert fields.known_host_key is None


def test_sftp_connection_needs_a_password_or_a_key() -> None:
    with pytest.raises(ValidationError, match="password, a private key or both"):
        SftpFields.model_validate({"host": "sftp.example.com", "username": "ada"})


def test_sftp_known_host_key_must_be_a_public_key_line() -> None:
    with pytest.raises(ValidationError, match="known_host_key"):
        SftpFields.model_validate(
            {"host": "h.example", "username": "ada", "password": "x", "known_host_key": "not a key"}
        )


def test_host_is_a_name_not_a_url() -> None:
    with pytest.raises(ValidationError, match="without a scheme"):
        FtpFields.model_validate({"host": "ftp://ftp.example.com"})


def test_foreign_or_missing_connection_is_a_configuration_error() -> None:
    with pytest.raises(InvalidConfigurationError, match=r"needs an ftp\.ftp or ftp\.sftp"):
        connection_fields(None)
    with pytest.raises(InvalidConfigurationError, match=r"http\.basic"):
        connection_fields({"type": "http.basic", "fields": {"username": "a", "password": "b"}})


def test_incomplete_connection_message_names_fields_but_not_secrets() -> None:
    with pytest.raises(InvalidConfigurationError) as caught:
        connection_fields({"type": "ftp.sftp", "fields": {"password": "hunter2-secret"}})
    assert "host" in caught.value.message and "username" in caught.value.message
    assert "hunter2-secret" not in caught.value.message


@pytest.mark.parametrize("path", ["a.txt\r\nDELE b.txt", "a\x00b", "dir/\nx"])
def test_paths_with_control_characters_are_refused(path: str) -> None:
    with pytest.raises(ValidationError, match="control characters"):
        DownloadParams.model_validate({"path": path})
    with pytest.raises(ValidationError, match="control characters"):
        ListParams.model_validate({"folder": path})


@pytest.mark.parametrize("path", ["", "  ", "folder/"])
def test_a_file_path_names_a_file(path: str) -> None:
    with pytest.raises(ValidationError, match="path of a file"):
        UploadParams.model_validate({"path": path, "content": "x"})


def test_mlsd_facts_become_entries() -> None:
    entry = from_mlsd("in", "a.csv", {"type": "file", "size": "12", "modify": "20240305143000.250"})
    assert entry is not None
    assert entry.to_bundle() == {
        "name": "a.csv",
        "path": "in/a.csv",
        "type": "file",
        "size": 12,
        "modified": "2024-03-05T14:30:00.250000+00:00",
    }
    assert from_mlsd("", ".", {"type": "cdir"}) is None
    assert from_mlsd("", "..", {"type": "pdir"}) is None
    folder = from_mlsd("", "sub", {"type": "dir", "modify": "20240101000000"})
    assert folder is not None and folder.type == "dir" and folder.path == "sub"


def test_unreadable_mlsd_time_is_none() -> None:
    assert parse_mlsd_time("yesterday") is None
    assert parse_mlsd_time(None) is None


def test_unix_list_lines_become_entries() -> None:
    recent = from_list_line("", "-rw-r--r--   1 ada  staff     1234 Mar  1 09:15 report 1.csv", NOW)
    assert recent is not None
    assert (recent.name, recent.type, recent.size) == ("report 1.csv", "file", 1234)
    assert recent.modified == datetime(2024, 3, 1, 9, 15, tzinfo=UTC)
    old = from_list_line("in", "drwxr-xr-x 2 ada staff 4096 Dec 24 2019 archive", NOW)
    assert old is not None and old.type == "dir" and old.path == "in/archive"
    assert old.modified == datetime(2019, 12, 24, tzinfo=UTC)


def test_list_line_without_a_year_is_never_in_the_future() -> None:
    entry = from_list_line("", "-rw-r--r-- 1 ada staff 1 Dec 31 23:59 late.txt", NOW)
    assert entry is not None and entry.modified == datetime(2023, 12, 31, 23, 59, tzinfo=UTC)


def test_list_symlink_keeps_the_link_name_and_odd_lines_are_skipped() -> None:
    link = from_list_line("", "lrwxrwxrwx 1 ada staff 7 Mar 1 09:15 latest -> a.csv", NOW)
    assert link is not None and link.name == "latest"
    assert from_list_line("", "total 12", NOW) is None
