import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import {
  Controls, MarkerType, ReactFlow, useReactFlow, type Edge, type EdgeTypes, type NodeChange, type NodeTypes,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { layoutScenario, type LayoutNode } from "../layout";
import { LinkEdge } from "./LinkEdge";
import { ControlNode, ModuleNode, type ControlFlowNode, type ModuleFlowNode, type StepRun } from "./ModuleNode";

export interface Point {
  x: number;
  y: number;
}

interface Size {
  width: number;
  height: number;
}

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
  /** Editing: positions the user chose (by node id), over the automatic layout. */
  positions?: ReadonlyMap<string, Point>;
  /** Editing: nodes can be dragged; called once a drag ends, with the node's new position. */
  onMoved?: (stepId: string, point: Point) => void;
  /** Editing: a key pressed on a step's button (Delete, copy, paste...). */
  onStepKey?: (stepId: string, event: KeyboardEvent) => void;
  /** Editing: the button on a link into a step was activated (its filter). */
  onLinkOpen?: (source: string, step: string) => void;
}

const NODE_TYPES: NodeTypes = { module: ModuleNode, control: ControlNode };
const EDGE_TYPES: EdgeTypes = { link: LinkEdge };
const MODULE_KINDS = new Set(["trigger", "step"]);

type CanvasNode = ModuleFlowNode | ControlFlowNode;

interface NodeOptions {
  runs?: ReadonlyMap<string, StepRun>;
  selected?: string | null;
  onSelect?: (stepId: string) => void;
  onOpenRun?: (stepId: string) => void;
  editable: boolean;
}

function toNode(node: LayoutNode, at: Point, o: NodeOptions): CanvasNode {
  const base = { id: node.id, position: at, draggable: o.editable, selectable: false, connectable: false };
  if (!MODULE_KINDS.has(node.kind)) {
    return { ...base, type: "control", ariaRole: "group",
      data: { stepId: node.id, kind: node.kind, label: node.label, selected: o.selected === node.id,
        onSelect: o.editable ? o.onSelect : undefined },
      ariaLabel: node.kind === "merge" ? "Merge"
        : node.kind === "directive" ? `Error handler of ${node.id.split(":")[0] ?? ""}: ${node.label}` : `${node.label} ${node.id}` };
  }
  return {
    ...base, type: "module", ariaRole: "group", ariaLabel: `Step ${node.id}`,
    data: {
      stepId: node.id, kind: node.kind, label: node.label, module: node.module,
      run: o.runs?.get(node.id) ?? null, selected: o.selected === node.id, onSelect: o.onSelect, onOpenRun: o.onOpenRun,
    },
  };
}

/** Fits the drawing to the canvas again when its number of nodes changes (a module added, removed or pasted),
 * so that what was added is in view; moving or editing a node keeps the view. */
function FitOnGrowth({ count }: { count: number }) {
  const flow = useReactFlow();
  const seen = useRef(count);
  useEffect(() => {
    if (seen.current === count) return;
    seen.current = count;
    void flow.fitView({ padding: 0.15, maxZoom: 1 });
  }, [count, flow]);
  return null;
}

const EDGE_MARKER = { type: MarkerType.ArrowClosed, width: 16, height: 16, color: "#8e8aa3" };

/** The scenario drawn: the trigger first, steps joined by edges, routers fanning out, if-else branches merging
 * back. Read-only by default (the inspector); with `onMoved` the editor's canvas: nodes drag, their kept
 * `positions` win over the automatic layout, and keys on a step reach `onStepKey`. Nodes are memoised: the
 * layout is computed once per definition, and a node's object changes only when what it draws does. */
export function ScenarioCanvas(props: ScenarioCanvasProps) {
  const { definition, labels, runs, selected, onSelect, onOpenRun, positions, onMoved, onStepKey, onLinkOpen } = props;
  const editable = onMoved !== undefined;
  const layout = useMemo(() => layoutScenario(definition, labels), [definition, labels]);
  const [dragging, setDragging] = useState<{ id: string; at: Point } | null>(null);
  // the sizes xyflow measured, given back with each node: a node object made anew (the definition read again,
  // a run's bubbles) then keeps its size instead of waiting hidden to be measured again
  const [sizes, setSizes] = useState<ReadonlyMap<string, Size>>(() => new Map());
  const placed = useMemo(() => layout.nodes.map((node) => {
    const drawn = toNode(node, positions?.get(node.id) ?? { x: node.x, y: node.y }, { runs, selected, onSelect, onOpenRun, editable });
    const size = sizes.get(node.id);
    return size ? { ...drawn, measured: size } : drawn;
  }), [layout, positions, runs, selected, onSelect, onOpenRun, editable, sizes]);
  // while a node is dragged only its object changes: the other nodes keep theirs and are not drawn again
  const nodes = useMemo(() => (dragging === null ? placed
    : placed.map((node) => (node.id === dragging.id ? { ...node, position: dragging.at } : node))), [placed, dragging]);
  const steps = useMemo(() => new Set(layout.nodes.filter((n) => n.kind === "step").map((n) => n.id)), [layout]);
  const edges: Edge[] = useMemo(() => layout.edges.map((edge) => {
    const base = {
      id: edge.id, source: edge.source, target: edge.target, focusable: false, selectable: false,
      className: edge.error ? "canvas-edge error" : "canvas-edge",
      ariaLabel: `From ${edge.source} to ${edge.target}${edge.label ? `: ${edge.label}` : ""}`, markerEnd: EDGE_MARKER,
    };
    if (onLinkOpen && steps.has(edge.target)) {
      return { ...base, type: "link", data: { source: edge.source, step: edge.target, label: edge.label, onOpen: onLinkOpen } };
    }
    return { ...base, label: edge.label ?? undefined, labelBgPadding: [6, 3] as [number, number], labelBgBorderRadius: 4 };
  }), [layout, steps, onLinkOpen]);
  const onNodesChange = useCallback((changes: NodeChange<CanvasNode>[]) => {
    const measured = changes.flatMap((change) => (change.type === "dimensions" && change.dimensions
      ? [[change.id, { width: change.dimensions.width, height: change.dimensions.height }] as const] : []));
    if (measured.length > 0) {
      setSizes((current) => {
        const changed = measured.filter(([id, size]) => {
          const known = current.get(id);
          return !known || known.width !== size.width || known.height !== size.height;
        });
        return changed.length === 0 ? current : new Map([...current, ...changed]);
      });
    }
    if (!editable) return;
    for (const change of changes) {
      if (change.type !== "position") continue;
      if (change.dragging && change.position) setDragging({ id: change.id, at: change.position });
      else if (change.dragging === false) {
        setDragging((last) => {
          if (last && last.id === change.id) onMoved?.(change.id, last.at);
          return null;
        });
      }
    }
  }, [onMoved, editable]);
  const onKeyDown = useCallback((event: KeyboardEvent) => {
    const target = event.target instanceof HTMLElement ? event.target.closest<HTMLElement>("[data-step]") : null;
    const step = target?.dataset.step;
    if (step && onStepKey) onStepKey(step, event);
  }, [onStepKey]);
  return (
    <section className={`canvas${editable ? " editable" : ""}`} aria-label="Scenario canvas" onKeyDown={onKeyDown}>
      <ReactFlow nodes={nodes} edges={edges} nodeTypes={NODE_TYPES} edgeTypes={EDGE_TYPES} fitView fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
        minZoom={0.1} maxZoom={1.5} nodesDraggable={editable} nodesConnectable={false} nodesFocusable={false}
        onNodesChange={onNodesChange} onlyRenderVisibleElements={layout.nodes.length > 60}
        edgesFocusable={false} elementsSelectable={false} zoomOnScroll={editable} panOnScroll={false}
        preventScrolling={editable} zoomOnDoubleClick={false} deleteKeyCode={null} proOptions={{ hideAttribution: true }}>
        <Controls showInteractive={false} />
        {editable && <FitOnGrowth count={layout.nodes.length} />}
      </ReactFlow>
    </section>
  );
}
