import { useId } from "react";
import { SETTING_DEFAULTS, type Settings } from "../definition";
import { TimeZoneSelect } from "./TimeZoneSelect";

interface ScenarioSettingsFormProps {
  value: Settings;
  onChange: (settings: Settings) => void;
}

type Flag = "confidential" | "store_incomplete" | "sequential" | "respond_on_error";
const FLAGS: { key: Flag; label: string; hint: string }[] = [
  { key: "confidential", label: "Confidential", hint: "The activity stream keeps step, status, timing and error type only; no inputs, outputs or messages." },
  { key: "store_incomplete", label: "Store incomplete executions", hint: "An error no handler takes stores the bundle for a retry; off, the run ends in error." },
  { key: "sequential", label: "Sequential processing", hint: "Runs one at a time, in the order their events arrived." },
  { key: "respond_on_error", label: "Respond on error", hint: "A webhook call whose run fails before webhooks.respond is answered 500 with the error; off, 200 accepted." },
];

/** The definition's `settings`, each shown with its default (docs/scenarios.md, "Settings"). */
export function ScenarioSettingsForm({ value, onChange }: ScenarioSettingsFormProps) {
  const errorsId = useId();
  const zoneId = useId();
  const set = (patch: Settings) => onChange({ ...value, ...patch });
  const maxErrors = value.max_consecutive_errors ?? SETTING_DEFAULTS.max_consecutive_errors;
  return (
    <div className="settings-form">
      {FLAGS.map(({ key, label, hint }) => (
        <div key={key} className="setting">
          <input id={`${errorsId}-${key}`} type="checkbox" checked={value[key] ?? SETTING_DEFAULTS[key]}
            aria-describedby={`${errorsId}-${key}-hint`} onChange={(e) => set({ [key]: e.target.checked })} />
          <div>
            <label htmlFor={`${errorsId}-${key}`} className="setting-label">{label}</label>
            <span id={`${errorsId}-${key}-hint`} className="small-text muted">{hint}</span>
          </div>
        </div>
      ))}
      <div className="field">
        <label htmlFor={errorsId}>Max consecutive errors</label>
        <input id={errorsId} type="number" min={1} step={1} value={maxErrors} className="number-input"
          onChange={(e) => set({ max_consecutive_errors: Math.max(1, Math.floor(Number(e.target.value) || 1)) })} />
        <p className="hint-below">This many runs in a row ending in error deactivate the scenario.</p>
      </div>
      <div className="field">
        <label htmlFor={zoneId}>Time zone</label>
        <TimeZoneSelect id={zoneId} value={value.timezone ?? SETTING_DEFAULTS.timezone}
          onChange={(timezone) => set({ timezone })} />
        <p className="hint-below">The default zone of date functions such as formatDate.</p>
      </div>
    </div>
  );
}
