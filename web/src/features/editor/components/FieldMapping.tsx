import { createContext, useContext, useId, type FocusEvent } from "react";
import { useModuleLabels } from "@/features/canvas";
import type { Execution } from "@/features/inspector";
import { ExpressionPreview, MappingPanel, useCatalogue } from "@/features/run";
import { insertPick } from "../model/insertion";

/** The text field of the module settings being mapped into: the element (its cursor is where a pick goes) and
 * the name it is known by. */
export interface MappingTarget {
  element: HTMLInputElement | HTMLTextAreaElement;
  label: string;
}

/** The field a focus event reached, when it takes expressions: a text input or a text area of the settings,
 * unless marked `data-no-mapping` (the step id). */
export function mappingTargetOf(event: FocusEvent): MappingTarget | null {
  const element = event.target;
  const text = (element instanceof HTMLInputElement && element.type === "text") || element instanceof HTMLTextAreaElement;
  if (!text || element.closest("[data-no-mapping]") !== null) return null;
  const label = element.labels?.[0]?.textContent ?? element.getAttribute("aria-label") ?? "the field";
  return { element, label: label.replace(/\s*\*$/, "").trim() };
}

/** Types a pick of the mapping panel into the field at its cursor (over the selection), as the user would:
 * React's change handler sees an input event, and the cursor lands after what was inserted. */
export function insertAtCursor(element: HTMLInputElement | HTMLTextAreaElement, pick: string): void {
  if (!element.isConnected) return;
  const start = element.selectionStart ?? element.value.length;
  const { value, cursor } = insertPick(element.value, start, element.selectionEnd ?? start, pick);
  const prototype = element instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(prototype, "value")?.set?.call(element, value);
  element.dispatchEvent(new Event("input", { bubbles: true }));
  element.focus();
  element.setSelectionRange(cursor, cursor);
}

/** The step ids of the scenario, for highlighting the references in the fields' expressions. */
export const StepIds = createContext<ReadonlySet<string> | undefined>(undefined);

/** Under a field whose text holds an expression: the text highlighted (steps, functions, strings...). */
export function FieldExpression({ text }: { text: string }) {
  const steps = useContext(StepIds);
  if (!text.includes("{{")) return null;
  return <p className="field-expression" aria-hidden="true"><ExpressionPreview text={text} steps={steps} /></p>;
}

interface MappingAsideProps {
  definition: unknown;
  stepId: string;
  target: MappingTarget;
  /** This session's run, else the scenario's latest execution; null: the modules' declared outputs. */
  execution: Execution | null;
  onClose: () => void;
}

/** Region "Mapping", beside the module settings while one of its fields is edited: the outputs of the steps
 * before this one and the function picker; a click inserts at the field's cursor. */
export function MappingAside({ definition, stepId, target, execution, onClose }: MappingAsideProps) {
  const catalogue = useCatalogue();
  const labels = useModuleLabels();
  const id = useId();
  return (
    <aside className="mapping-aside card" aria-labelledby={id}>
      <div className="mapping-aside-head">
        <h2 id={id} className="mapping-aside-title">Mapping</h2>
        <button type="button" className="button small ghost" onClick={onClose}>Close mapping</button>
      </div>
      <p className="hint-text">Into <strong>{target.label}</strong>: a click inserts at the cursor.</p>
      <MappingPanel definition={definition} stepId={stepId} execution={execution} catalogue={catalogue.data}
        labels={labels.data} onInsert={(text) => insertAtCursor(target.element, text)} />
    </aside>
  );
}
