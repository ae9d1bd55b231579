"""``connection_fields``: a module's connection, checked and validated."""

import pytest
from pydantic import BaseModel, ConfigDict

from scenarist.sdk import InvalidConfigurationError, connection_fields


class Fields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str
    password: str = ""


def test_the_fields_of_a_connection_of_the_right_type() -> None:
    fields = connection_fields({"type": "x.server", "fields": {"host": "h"}}, Fields, "x.server")
    assert fields == Fields(host="h")


def test_no_connection_or_another_type_is_a_configuration_error() -> None:
    with pytest.raises(InvalidConfigurationError, match=r"this module needs an x\.server connection"):
        connection_fields(None, Fields, "x.server", article="an")
    with pytest.raises(InvalidConfigurationError, match=r"expected a x\.server connection, not 'y\.other'"):
        connection_fields({"type": "y.other", "fields": {"host": "h"}}, Fields, "x.server")


def test_problems_name_the_fields_never_the_values() -> None:
    connection = {"type": "x.server", "fields": {"password": "hunter2", "extra": "secret-value"}}
    with pytest.raises(InvalidConfigurationError, match=r"the x\.server connection is incomplete: host") as caught:
        connection_fields(connection, Fields, "x.server")
    assert "hunter2" not in str(caught.value) and "secret-value" not in str(caught.value)
