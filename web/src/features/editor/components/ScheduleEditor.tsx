import { useEffect, useId, useState } from "react";
import { ErrorAlert } from "@/components/ui/Alert";
import { useSchedulePreview } from "../api/editor";
import type { Schedule } from "../definition";
import { TimeZoneSelect } from "./TimeZoneSelect";

interface ScheduleEditorProps {
  value: Schedule;
  onChange: (schedule: Schedule) => void;
}

const KINDS: { type: Schedule["type"]; label: string; hint: string }[] = [
  { type: "immediately", label: "Immediately", hint: "For each event of an instant trigger (a webhook)." },
  { type: "interval", label: "Interval", hint: "Every N minutes." },
  { type: "cron", label: "Cron", hint: "On a cron expression, in a time zone." },
  { type: "on_demand", label: "On demand", hint: "Only when run by hand or by the API." },
];
const DEBOUNCE_MS = 400;

function switchTo(type: Schedule["type"], current: Schedule): Schedule {
  if (type === "interval") return { type, minutes: current.type === "interval" ? current.minutes : 15 };
  if (type === "cron") return current.type === "cron" ? current : { type, expression: "0 9 * * 1-5", timezone: "UTC" };
  return { type };
}

/** A run time as a person reads it, in the schedule's zone: "Mon 30 Mar 2026, 09:00 CEST". */
export function formatRun(iso: string, zone: string): string {
  try {
    return new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit",
      minute: "2-digit", timeZoneName: "short",
    }).format(new Date(iso));
  } catch {
    return iso;
  }
}

/** The definition's `schedule`: immediately, every N minutes, a cron expression with its next five runs, on demand. */
export function ScheduleEditor({ value, onChange }: ScheduleEditorProps) {
  const name = useId();
  const minutesId = useId();
  const cronId = useId();
  const zoneId = useId();
  return (
    <div className="schedule-editor">
      <div role="radiogroup" aria-label="Schedule" className="schedule-kinds">
        <p className="field-title" aria-hidden="true">When it runs</p>
        {KINDS.map((kind) => (
          <div key={kind.type} className="setting">
            <input id={`${name}-${kind.type}`} type="radio" name={name} value={kind.type} checked={value.type === kind.type}
              aria-describedby={`${name}-${kind.type}-hint`} onChange={() => onChange(switchTo(kind.type, value))} />
            <div>
              <label htmlFor={`${name}-${kind.type}`} className="setting-label">{kind.label}</label>
              <span id={`${name}-${kind.type}-hint`} className="small-text muted">{kind.hint}</span>
            </div>
          </div>
        ))}
      </div>
      {value.type === "interval" && (
        <div className="field">
          <label htmlFor={minutesId}>Interval in minutes</label>
          <input id={minutesId} type="number" min={1} max={525600} step={1} className="number-input" value={value.minutes}
            onChange={(e) => onChange({ type: "interval", minutes: Math.floor(Number(e.target.value) || 0) })} />
          <p className="hint-below">
            {value.minutes >= 1 && value.minutes <= 525600
              ? `Runs when the scenario is activated, then every ${value.minutes === 1 ? "minute" : `${value.minutes} minutes`}.`
              : "Between 1 and 525,600 minutes."}
          </p>
        </div>
      )}
      {value.type === "cron" && (
        <>
          <div className="field">
            <label htmlFor={cronId}>Cron expression</label>
            <input id={cronId} type="text" className="code-input number-input wide" value={value.expression} spellCheck={false}
              aria-describedby={`${cronId}-hint`} onChange={(e) => onChange({ ...value, expression: e.target.value })} />
            <p id={`${cronId}-hint`} className="hint-below">Minute, hour, day of month, month, day of week: “0 9 * * 1-5” is 09:00 on workdays.</p>
          </div>
          <div className="field">
            <label htmlFor={zoneId}>Time zone</label>
            <TimeZoneSelect id={zoneId} value={value.timezone ?? "UTC"} onChange={(timezone) => onChange({ ...value, timezone })} />
          </div>
          <CronPreview schedule={value} />
        </>
      )}
    </div>
  );
}

/** The next five runs, asked of the server once the user stopped typing for a moment. */
function CronPreview({ schedule }: { schedule: Extract<Schedule, { type: "cron" }> }) {
  const [asked, setAsked] = useState<Schedule | null>(null);
  const key = JSON.stringify(schedule);
  useEffect(() => {
    const timer = window.setTimeout(() => setAsked(JSON.parse(key) as Schedule), DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [key]);
  const preview = useSchedulePreview(asked);
  const zone = schedule.timezone ?? "UTC";
  const stale = asked === null || JSON.stringify(asked) !== key;
  return (
    <div className="cron-preview" aria-live="polite">
      <p className="field-title" id="next-runs-title">Next runs in {zone.replace(/_/g, " ")}</p>
      {(stale || preview.isFetching) && !preview.isError && <p role="status" className="loading">Working out the next runs…</p>}
      {preview.isError && !stale && <ErrorAlert error={preview.error} />}
      {preview.data && !stale && !preview.isError && (
        <ol aria-label="Next runs" className="next-runs">
          {preview.data.next.map((iso) => <li key={iso}><time dateTime={iso}>{formatRun(iso, zone)}</time></li>)}
        </ol>
      )}
    </div>
  );
}
