import { useMemo } from "react";
import { Controls, MarkerType, ReactFlow, type Edge, type NodeTypes } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { layoutScenario, type LayoutNode } from "../layout";
import { ControlNode, ModuleNode, type ControlFlowNode, type ModuleFlowNode, type StepRun } from "./ModuleNode";

export interface ScenarioCanvasProps {
  /** The scenario definition (contract section 3): the one source of truth, drawn. */
  definition: unknown;
  /** Module key -> label, from `GET /apps`. */
  labels: ReadonlyMap<string, string>;
  /** Per-step run data (by step id): each such step gets its bubble. */
  runs?: ReadonlyMap<string, StepRun>;
  /** The step shown as selected. */
  selected?: string | null;
  /** A module's button was activated. */
  onSelect?: (stepId: string) => void;
  /** A step's bubble was activated. */
  onOpenRun?: (stepId: string) => void;
}

const NODE_TYPES: NodeTypes = { module: ModuleNode, control: ControlNode };
const MODULE_KINDS = new Set(["trigger", "step"]);

type CanvasNode = ModuleFlowNode | ControlFlowNode;

function toNode(node: LayoutNode, props: ScenarioCanvasProps): CanvasNode {
  const base = { id: node.id, position: { x: node.x, y: node.y }, draggable: false, selectable: false, connectable: false };
  if (!MODULE_KINDS.has(node.kind)) {
    return { ...base, type: "control", data: { stepId: node.id, kind: node.kind, label: node.label }, ariaRole: "group",
      ariaLabel: node.kind === "merge" ? "Merge" : `${node.label} ${node.id}` };
  }
  return {
    ...base, type: "module", ariaRole: "group", ariaLabel: `Step ${node.id}`,
    data: {
      stepId: node.id, kind: node.kind, label: node.label, run: props.runs?.get(node.id) ?? null,
      selected: props.selected === node.id, onSelect: props.onSelect, onOpenRun: props.onOpenRun,
    },
  };
}

/** The scenario drawn read-only: the trigger first, steps joined by edges, routers fanning out, if-else
 * branches merging back. Pan with the mouse or the controls; every module is a button. The editor reuses it. */
export function ScenarioCanvas(props: ScenarioCanvasProps) {
  const { definition, labels } = props;
  const layout = useMemo(() => layoutScenario(definition, labels), [definition, labels]);
  const nodes = layout.nodes.map((node) => toNode(node, props));
  const edges: Edge[] = layout.edges.map((edge) => ({
    id: edge.id, source: edge.source, target: edge.target, label: edge.label ?? undefined, focusable: false,
    selectable: false, className: "canvas-edge",
    ariaLabel: `From ${edge.source} to ${edge.target}${edge.label ? `: ${edge.label}` : ""}`, labelBgPadding: [6, 3], labelBgBorderRadius: 4,
    markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: "#8e8aa3" },
  }));
  return (
    <section className="canvas" aria-label="Scenario canvas">
      <ReactFlow nodes={nodes} edges={edges} nodeTypes={NODE_TYPES} fitView fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
        minZoom={0.3} maxZoom={1.5} nodesDraggable={false} nodesConnectable={false} nodesFocusable={false}
        edgesFocusable={false} elementsSelectable={false} zoomOnScroll={false} panOnScroll={false} preventScrolling={false}
        zoomOnDoubleClick={false} proOptions={{ hideAttribution: true }}>
        <Controls showInteractive={false} />
      </ReactFlow>
    </section>
  );
}
