"""The SQL apps: PostgreSQL (asyncpg) and MySQL / MariaDB (aiomysql), one package, two dialects.

Each app runs SQL, inserts and updates rows and watches a table for new rows;
the modules are the same code, built for a ``Dialect`` (``_dialect``) that
names the placeholders (``$1`` or ``%s``), quotes identifiers (``"name"`` or
`` `name` ``) and drives its client library.

Connection types ``postgres.database`` and ``mysql.database`` (host, port,
database, username, password (secret), tls, ca_cert); TLS is required by
default, plain is a choice (see ``_connection``). Values come out JSON-safe
(see ``_values``).

Modules (``<app>`` is ``postgres`` or ``mysql``):

- ``<app>.query`` (search): ``sql`` with positional ``parameters``; one bundle per row.
- ``<app>.insert`` (action): ``table``, ``row``; PostgreSQL outputs the inserted row,
  MySQL ``{rowcount, last_id}``.
- ``<app>.update`` (action): ``table``, ``values``, ``where`` (equalities); outputs ``{rowcount}``.
- ``<app>.watch_rows`` (polling trigger): rows whose ``column`` grew past the cursor.

Errors: the server's SQL errors are ``DataError`` with its message; refused
credentials ``AuthenticationError``; an unreachable server ``ConnectionError``;
a statement over its time ``ModuleTimeoutError``.
"""

from scenarist.apps.sql.mysql import app as mysql_app
from scenarist.apps.sql.postgres import app as postgres_app

__all__ = ["mysql_app", "postgres_app"]
