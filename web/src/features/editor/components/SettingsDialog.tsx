import { useId } from "react";
import { Dialog } from "@/components/ui/Dialog";
import type { Definition, Json } from "../model/definition";

interface SettingsDialogProps {
  open: boolean;
  definition: Definition;
  webhookUrl: string | null;
  edit: (change: (d: Definition) => Definition, group?: string | null) => void;
  onClose: () => void;
}

const FLAGS: [string, string, boolean][] = [
  ["confidential", "Confidential (keep no input or output data)", false],
  ["store_incomplete", "Store incomplete executions", true],
  ["sequential", "Sequential processing", false],
  ["respond_on_error", "Respond on error", true],
];

/** "Scenario settings" (until the panels' forms are merged): the settings of contract section 3, and the
 * schedule type. */
export function SettingsDialog({ open, definition, webhookUrl, edit, onClose }: SettingsDialogProps) {
  const id = useId();
  const settings = definition.settings ?? {};
  const set = (key: string, value: Json | undefined, group: string | null = null) => edit((d) => {
    const next = { ...(d.settings ?? {}) };
    if (value === undefined) delete next[key];
    else next[key] = value;
    return { ...d, settings: next };
  }, group);
  const number = (key: string, text: string) => set(key, text === "" ? undefined : Number(text), `settings.${key}`);
  return (
    <Dialog title="Scenario settings" open={open} onClose={onClose}>
      <div className="scenario-settings">
        {webhookUrl && <p>Webhook URL: <code className="url">{webhookUrl}</code></p>}
        {FLAGS.map(([key, label, byDefault]) => (
          <label key={key} className="check param-check">
            <input type="checkbox" checked={typeof settings[key] === "boolean" ? settings[key] === true : byDefault}
              onChange={(e) => set(key, e.target.checked)} />
            {label}
          </label>
        ))}
        <label className="param-label" htmlFor={`${id}-errors`}>Max consecutive errors</label>
        <input id={`${id}-errors`} type="number" min={1} value={typeof settings.max_consecutive_errors === "number" ? settings.max_consecutive_errors : ""}
          placeholder="3" onChange={(e) => number("max_consecutive_errors", e.target.value)} />
        <label className="param-label" htmlFor={`${id}-tz`}>Time zone</label>
        <input id={`${id}-tz`} type="text" value={typeof settings.timezone === "string" ? settings.timezone : ""} placeholder="UTC"
          onChange={(e) => set("timezone", e.target.value || undefined, "settings.timezone")} />
        <label className="param-label" htmlFor={`${id}-schedule`}>Schedule</label>
        <select id={`${id}-schedule`} value={typeof definition.schedule?.type === "string" ? definition.schedule.type : "immediately"}
          onChange={(e) => {
            const type = e.target.value;
            const schedule: Record<string, Json> = type === "interval" ? { type, minutes: 15 }
              : type === "cron" ? { type, expression: "0 9 * * 1-5", timezone: "UTC" } : { type };
            edit((d) => ({ ...d, schedule }));
          }}>
          <option value="immediately">Immediately (as data arrives)</option>
          <option value="interval">Every 15 minutes</option>
          <option value="cron">Cron: 9:00 on weekdays (UTC)</option>
          <option value="on_demand">On demand only</option>
        </select>
        <div className="dialog-actions">
          <button type="button" className="button primary" onClick={onClose}>Done</button>
        </div>
      </div>
    </Dialog>
  );
}
