import { CopyText } from "@/components/ui/CopyText";
import { Dialog } from "@/components/ui/Dialog";
import type { Schedule, Settings } from "../definition";
import type { Definition, Json } from "../model/definition";
import { ScenarioSettingsForm } from "./ScenarioSettingsForm";
import { ScheduleEditor } from "./ScheduleEditor";

interface SettingsDialogProps {
  open: boolean;
  definition: Definition;
  webhookUrl: string | null;
  edit: (change: (d: Definition) => Definition, group?: string | null) => void;
  onClose: () => void;
}

/** "Scenario settings": the panels' settings form and schedule editor on the editor's definition (undoable,
 * saved with "Save"). */
export function SettingsDialog({ open, definition, webhookUrl, edit, onClose }: SettingsDialogProps) {
  const settings = (definition.settings ?? {}) as Settings;
  const schedule = (definition.schedule ?? { type: "immediately" }) as unknown as Schedule;
  return (
    <Dialog title="Scenario settings" open={open} onClose={onClose}>
      <div className="scenario-settings">
        {webhookUrl && (
          <div role="group" aria-label="Webhook URL">
            <p className="param-label">Webhook URL</p>
            <CopyText text={webhookUrl} />
          </div>
        )}
        <ScenarioSettingsForm value={settings}
          onChange={(next) => edit((d) => ({ ...d, settings: next as unknown as Record<string, Json> }), "settings")} />
        <ScheduleEditor value={schedule}
          onChange={(next) => edit((d) => ({ ...d, schedule: next as unknown as Record<string, Json> }), "schedule")} />
        <div className="dialog-actions">
          <button type="button" className="button primary" onClick={onClose}>Done</button>
        </div>
      </div>
    </Dialog>
  );
}
