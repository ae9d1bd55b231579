"""settings.timezone: the zone of date functions given none, in runs of the engine; executionId."""

from __future__ import annotations

from datetime import UTC, datetime

from scenarist.engine.service import Engine
from scenarist.types import ManualClock
from tests.engine.conftest import outputs, run, scenario, step

SUMMER_NOON_UTC = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)


def clock_at_summer_noon(clock: ManualClock) -> None:
    clock.set(SUMMER_NOON_UTC)


async def test_format_date_without_a_zone_uses_the_scenario_zone(engine: Engine, clock: ManualClock) -> None:
    clock_at_summer_noon(clock)
    definition = scenario(step("v", "tools.set_variables", variables={"at": "{{ formatDate(now, 'HH:mm') }}"}),
                          timezone="Europe/Prague")
    result = await run(engine, definition)
    assert await outputs(engine, result, "v") == [{"at": "14:00"}]


async def test_a_scenario_without_a_zone_is_in_utc(engine: Engine, clock: ManualClock) -> None:
    clock_at_summer_noon(clock)
    definition = scenario(step("v", "tools.set_variables", variables={"at": "{{ formatDate(now, 'HH:mm') }}"}))
    result = await run(engine, definition)
    assert await outputs(engine, result, "v") == [{"at": "12:00"}]


async def test_set_hour_uses_the_scenario_zone(engine: Engine) -> None:
    definition = scenario(
        step("v", "tools.set_variables", variables={"at": "{{ setHour('2024-07-01T12:00:00Z', 9) }}"}),
        timezone="America/New_York",
    )
    result = await run(engine, definition)
    assert await outputs(engine, result, "v") == [{"at": "2024-07-01T13:00:00.000Z"}]


async def test_parse_date_reads_text_in_the_scenario_zone(engine: Engine) -> None:
    definition = scenario(
        step("v", "tools.set_variables", variables={"at": "{{ parseDate(hook.body.when, 'DD.MM.YYYY HH:mm') }}"}),
        timezone="Asia/Tokyo",
    )
    result = await run(engine, definition, {"when": "01.07.2024 09:00"})
    assert await outputs(engine, result, "v") == [{"at": "2024-07-01T00:00:00.000Z"}]


async def test_execution_id_is_the_running_execution(engine: Engine) -> None:
    definition = scenario(step("v", "tools.set_variables", variables={"id": "{{ executionId }}"}))
    result = await run(engine, definition)
    assert await outputs(engine, result, "v") == [{"id": result.execution.id}]


async def test_each_run_has_its_own_execution_id(engine: Engine) -> None:
    definition = scenario(step("v", "tools.set_variables", variables={"id": "{{ executionId }}"}))
    first, second = await run(engine, definition), await run(engine, definition)
    assert await outputs(engine, second, "v") == [{"id": second.execution.id}]
    assert first.execution.id != second.execution.id


async def test_two_scenarios_keep_their_own_zones(engine: Engine, clock: ManualClock) -> None:
    clock_at_summer_noon(clock)
    variables = {"at": "{{ formatDate(now, 'HH') }}"}
    tokyo = await run(engine, scenario(step("v", "tools.set_variables", variables=variables), timezone="Asia/Tokyo"))
    utc = await run(engine, scenario(step("v", "tools.set_variables", variables=variables)))
    assert (await outputs(engine, tokyo, "v"), await outputs(engine, utc, "v")) == ([{"at": "21"}], [{"at": "12"}])


def test_an_unknown_zone_is_a_problem_at_its_path(engine: Engine) -> None:
    found = engine.validate(scenario(timezone="Mars/Olympus")).problems
    assert [(p.path, "unknown time zone" in p.message) for p in found] == [("settings.timezone", True)]


def test_a_path_is_not_a_zone(engine: Engine) -> None:
    found = engine.validate(scenario(timezone="../../etc/passwd")).problems
    assert [p.path for p in found] == ["settings.timezone"]
