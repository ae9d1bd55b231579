"""The FTP app: files on FTP, FTPS and SFTP servers, one module set over all three.

Connection types (full keys):

- ``ftp.ftp``: ``security`` explicit_tls (FTPS with AUTH TLS, the default),
  implicit_tls, or none (plain FTP, a deliberate choice); host, port, username,
  password (secret), passive, tls_verify, ca_cert.
- ``ftp.sftp``: host, port, username, password and/or private_key with
  passphrase (all three secret), known_host_key; an unknown host key is refused
  unless accept_unknown_host_key.

Modules: ``ftp.list`` (search), ``ftp.upload``, ``ftp.download``,
``ftp.delete`` (actions) and ``ftp.watch`` (polling trigger).
"""

from scenarist.apps.ftp._connection import FTP_TYPE, SFTP_TYPE, FtpFields, SftpFields
from scenarist.apps.ftp._modules import (
    check_ftp,
    check_sftp,
    run_delete,
    run_download,
    run_list,
    run_upload,
)
from scenarist.apps.ftp._params import DeleteParams, DownloadParams, ListParams, UploadParams, WatchParams
from scenarist.apps.ftp._watch import run_watch
from scenarist.sdk import App, ConnectionType, ModuleSpec

CONNECTION_TYPES = (
    ConnectionType(FTP_TYPE, "FTP / FTPS server", FtpFields, ("password",), check_ftp),
    ConnectionType(SFTP_TYPE, "SFTP server", SftpFields, ("password", "private_key", "passphrase"), check_sftp),
)
_ACCEPTS = (FTP_TYPE, SFTP_TYPE)

LIST = ModuleSpec(
    key="list",
    label="List a folder",
    description="One bundle per entry of a folder: name, path, type (file or dir), size, modified.",
    params=ListParams,
    run=run_list,
    kind="search",
    connection_types=_ACCEPTS,
    connection_required=True,
)
UPLOAD = ModuleSpec(
    key="upload",
    label="Upload a file",
    description="Store text or base64 content as a file on the server; outputs its path and size.",
    params=UploadParams,
    run=run_upload,
    connection_types=_ACCEPTS,
    connection_required=True,
)
DOWNLOAD = ModuleSpec(
    key="download",
    label="Download a file",
    description="Fetch a file: its path, size, guessed content type and content (base64, or text).",
    params=DownloadParams,
    run=run_download,
    connection_types=_ACCEPTS,
    connection_required=True,
)
DELETE = ModuleSpec(
    key="delete",
    label="Delete a file",
    description="Remove a file from the server; a missing file is a DataError.",
    params=DeleteParams,
    run=run_delete,
    connection_types=_ACCEPTS,
    connection_required=True,
)
WATCH = ModuleSpec(
    key="watch",
    label="Watch a folder",
    description="Trigger on files that are new or changed in a folder since the last poll.",
    params=WatchParams,
    run=run_watch,
    kind="search",
    polling=True,
    connection_types=_ACCEPTS,
    connection_required=True,
)

app = App(
    key="ftp",
    label="FTP / SFTP",
    description="Upload, download, list, delete and watch files on FTP, FTPS and SFTP servers.",
    modules=(LIST, UPLOAD, DOWNLOAD, DELETE, WATCH),
    connection_types=CONNECTION_TYPES,
)

__all__ = [
    "CONNECTION_TYPES",
    "DELETE",
    "DOWNLOAD",
    "LIST",
    "UPLOAD",
    "WATCH",
    "DeleteParams",
    "DownloadParams",
    "FtpFields",
    "ListParams",
    "SftpFields",
    "UploadParams",
    "WatchParams",
    "app",
]
