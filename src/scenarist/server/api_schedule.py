"""A schedule's next runs, for the editor's preview: ``POST /schedule/preview``."""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Any

from croniter import croniter
from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from scenarist.engine.model import Cron, Interval, Schedule
from scenarist.server.deps import account_id, runtime
from scenarist.server.errors import ApiError
from scenarist.server.runtime import Runtime
from scenarist.server.scheduler import upcoming

router = APIRouter(tags=["scenarios"])

Account = Annotated[str, Depends(account_id)]
Rt = Annotated[Runtime, Depends(runtime)]
COUNT = 5


class SchedulePreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schedule: Schedule = Field(description="A definition's `schedule` (contract section 3).")


class SchedulePreview(BaseModel):
    next: list[str] = Field(description="The next five runs, ISO 8601 in the schedule's zone (UTC for an "
                            "interval, from now as if activated now); empty for immediately and on demand.")
    text: str = Field(description="The schedule in words.")


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ApiError(422, f"unknown time zone {name!r} (an IANA name such as 'Europe/Prague')",
                       path="schedule.timezone") from None


def _text(schedule: Any) -> str:
    if isinstance(schedule, Interval):
        every = "minute" if schedule.minutes == 1 else f"{schedule.minutes} minutes"
        return f"Every {every}, from activation"
    if isinstance(schedule, Cron):
        return f"On the cron expression {schedule.expression} in {schedule.timezone}"
    if schedule.type == "immediately":
        return "Immediately, for each event of the trigger"
    return "Only when run by hand or by the API"


@router.post("/schedule/preview", response_model=SchedulePreview)
async def preview_schedule(body: SchedulePreviewRequest, account: Account, rt: Rt) -> SchedulePreview:
    """When a schedule would run next: 422 with the `path` (`schedule.expression`,
    `schedule.timezone`) for a cron expression or time zone that does not hold, as a save would say."""
    schedule = body.schedule
    if isinstance(schedule, Cron):
        _zone(schedule.timezone)
        if not croniter.is_valid(schedule.expression):
            raise ApiError(422, f"not a valid cron expression: {schedule.expression!r}", path="schedule.expression")
    try:
        times = upcoming(schedule.model_dump(), rt.clock.now(), COUNT)
    except ValueError as exc:
        raise ApiError(422, f"the cron expression {getattr(schedule, 'expression', '')!r} never runs: {exc}",
                       path="schedule.expression") from None
    return SchedulePreview(next=[t.isoformat() for t in times], text=_text(schedule))
