import { memo } from "react";
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import type { NodeKind } from "../layout";
import { AppIcon } from "./AppIcon";

/** What a run did at one step: the operations it counted, its status, the error's type when it failed. */
export interface StepRun {
  operations: number;
  status: string;
  errorType?: string | null;
}

export interface ModuleNodeData extends Record<string, unknown> {
  stepId: string;
  kind: NodeKind;
  label: string;
  /** The module key (its app gives the icon). */
  module: string | null;
  run: StepRun | null;
  selected: boolean;
  onSelect?: (stepId: string) => void;
  onOpenRun?: (stepId: string) => void;
}

export type ModuleFlowNode = Node<ModuleNodeData, "module">;

export function operationsText(count: number): string {
  return `${count} ${count === 1 ? "operation" : "operations"}`;
}

function Bubble({ stepId, run, onOpen }: { stepId: string; run: StepRun; onOpen?: (stepId: string) => void }) {
  const failed = run.status === "error";
  return (
    <button type="button" className={`run-bubble nodrag nopan${failed ? " failed" : ""}`}
      aria-label={`${operationsText(run.operations)}, ${run.status}`} onClick={() => onOpen?.(stepId)}>
      <span aria-hidden="true">{failed ? "!" : "✓"}</span> {run.operations}
    </button>
  );
}

/** A module of the scenario (the trigger or a step): a button "{id}: {label}", with the run's bubble. */
export const ModuleNode = memo(function ModuleNode({ data }: NodeProps<ModuleFlowNode>) {
  const failed = data.run?.status === "error";
  const classes = ["module-node", data.kind, failed ? "failed" : "", data.selected ? "selected" : ""].filter(Boolean);
  return (
    <div className={classes.join(" ")}>
      {data.kind !== "trigger" && <Handle type="target" position={Position.Left} isConnectable={false} />}
      <AppIcon module={data.module} label={data.label} />
      <button type="button" className="module-button nodrag nopan" aria-pressed={data.onSelect ? data.selected : undefined}
        data-step={data.stepId} onClick={() => data.onSelect?.(data.stepId)}>
        <span className="module-id">{data.stepId}: </span>
        <span className="module-label">{data.label}</span>
      </button>
      {data.kind === "trigger" && <span className="module-kind" aria-hidden="true">Trigger</span>}
      {failed && (
        <span className="module-failed">
          <span aria-hidden="true">⚠ </span>Failed{data.run?.errorType ? `: ${data.run.errorType}` : ""}
        </span>
      )}
      {data.run && <Bubble stepId={data.stepId} run={data.run} onOpen={data.onOpenRun} />}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

export interface ControlNodeData extends Record<string, unknown> {
  stepId: string;
  kind: NodeKind;
  label: string;
  selected?: boolean;
  /** In the editor a router or if-else block is a button "{id}: Router" that selects it. */
  onSelect?: (stepId: string) => void;
}

export type ControlFlowNode = Node<ControlNodeData, "control">;

/** A router, an if-else block or the point where its branches merge: drawn, not a module. */
export const ControlNode = memo(function ControlNode({ data }: NodeProps<ControlFlowNode>) {
  const selectable = data.onSelect !== undefined && data.kind !== "merge" && data.kind !== "directive";
  return (
    <div className={`control-node ${data.kind}${data.selected ? " selected" : ""}`}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      {selectable ? (
        <button type="button" className="control-button nodrag nopan" aria-pressed={data.selected === true}
          data-step={data.stepId} onClick={() => data.onSelect?.(data.stepId)}>
          <span className="control-id">{data.stepId}</span>: <span className="control-label">{data.label}</span>
        </button>
      ) : (
        <>
          <span className="control-label">{data.label}</span>
          {data.kind === "directive" && <span className="control-id">error handler</span>}
          {data.kind !== "merge" && data.kind !== "directive" && <span className="control-id">{data.stepId}</span>}
        </>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});
