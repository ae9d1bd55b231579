"""The MySQL and MariaDB app (aiomysql): run SQL, insert and update rows, watch a table for new rows.

Connection type ``mysql.database`` (host, port, database, username,
password (secret), tls, ca_cert); TLS is required by default, plain is a
choice (see ``_connection``). Values come out JSON-safe (see ``_values``).

Modules:

- ``mysql.query`` (search): ``sql`` with ``%s``-style ``parameters``; one bundle per row.
- ``mysql.insert`` (action): ``table``, ``row``; outputs ``{rowcount, last_id}``.
- ``mysql.update`` (action): ``table``, ``values``, ``where`` (equalities); outputs ``{rowcount}``.
- ``mysql.watch_rows`` (polling trigger): rows whose ``column`` grew past the cursor.

Errors: the server's SQL errors are ``DataError`` with its message; refused
credentials ``AuthenticationError``; an unreachable server ``ConnectionError``;
a statement over its time ``ModuleTimeoutError``. ``update`` counts matched rows (changed or not).
"""

from scenarist.apps.mysql._connection import CONNECTION_TYPE, DatabaseFields
from scenarist.apps.mysql._modules import insert, query, update, watch_rows
from scenarist.apps.mysql._params import InsertParams, QueryParams, UpdateParams, WatchRowsParams
from scenarist.sdk import App, ModuleSpec

_CONNECTIONS = (CONNECTION_TYPE.key,)

QUERY = ModuleSpec(
    key="query", label="Run a query",
    description="Run one SQL statement with positional parameters (%s) and output one bundle per row.",
    params=QueryParams, run=query, kind="search", connection_types=_CONNECTIONS, connection_required=True,
)
INSERT = ModuleSpec(
    key="insert", label="Insert a row",
    description="Insert one row into a table; outputs {rowcount, last_id} (the AUTO_INCREMENT value).",
    params=InsertParams, run=insert, kind="action", connection_types=_CONNECTIONS, connection_required=True,
)
UPDATE = ModuleSpec(
    key="update", label="Update rows",
    description="Set columns on the rows that match every equality in where; outputs {rowcount}.",
    params=UpdateParams, run=update, kind="action", connection_types=_CONNECTIONS, connection_required=True,
)
WATCH_ROWS = ModuleSpec(
    key="watch_rows", label="Watch new rows",
    description="Output the rows added since the last poll, found by a column that only grows (id or timestamp).",
    params=WatchRowsParams, run=watch_rows, kind="search", connection_types=_CONNECTIONS,
    connection_required=True, polling=True,
)

app = App(
    key="mysql",
    label="MySQL / MariaDB",
    description="Query and change a MySQL or MariaDB database; trigger on new rows.",
    modules=(QUERY, INSERT, UPDATE, WATCH_ROWS),
    connection_types=(CONNECTION_TYPE,),
)

__all__ = ["INSERT", "QUERY", "UPDATE", "WATCH_ROWS", "DatabaseFields", "app"]
