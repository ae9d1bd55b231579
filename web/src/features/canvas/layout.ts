/** The canvas computed from the definition: a pure function definition -> nodes and edges with positions.
 *
 * Left to right: the trigger first, then each step one column further. A router fans its routes out one
 * below the other; an if-else block does the same with its branches and merges them back into one node,
 * after which the flow goes on. Positions are grid cells (`column`, `row`) and pixels (`x`, `y`). */
import { readDefinition, type FlowItem, type IfElseItem, type RouterItem } from "./definition";

export type NodeKind = "trigger" | "step" | "router" | "if_else" | "merge" | "directive";

export interface LayoutNode {
  id: string;
  kind: NodeKind;
  /** The module key for the trigger and steps, else null. */
  module: string | null;
  /** The module's label from the catalogue (its key when unknown), or "Router", "If-else", "Merge". */
  label: string;
  column: number;
  row: number;
  x: number;
  y: number;
}

export interface LayoutEdge {
  id: string;
  source: string;
  target: string;
  /** A route's or branch's label, a filter's label, or both joined by " · "; null for a plain link. */
  label: string | null;
  /** The link into a step's error handler. */
  error?: boolean;
}

export interface Layout {
  nodes: LayoutNode[];
  edges: LayoutEdge[];
  columns: number;
  rows: number;
}

export const COLUMN_WIDTH = 300;
export const ROW_HEIGHT = 150;

/** An open end of the drawing: the node the next item joins, and the label its edge carries. */
interface End {
  source: string;
  label: string | null;
  /** The end is a step's, into its error handler. */
  error?: boolean;
}

interface Placed {
  columns: number;
  rows: number;
  ends: End[];
}

function joined(...labels: (string | null)[]): string | null {
  const present = labels.filter((l): l is string => l !== null);
  return present.length > 0 ? present.join(" · ") : null;
}

class Drawing {
  readonly nodes: LayoutNode[] = [];
  readonly edges: LayoutEdge[] = [];

  constructor(private readonly labels: ReadonlyMap<string, string>) {}

  node(id: string, kind: NodeKind, module: string | null, column: number, row: number, named?: string): void {
    const label = named ?? (module !== null ? (this.labels.get(module) ?? module) : KIND_LABELS[kind]);
    this.nodes.push({ id, kind, module, label, column, row, x: column * COLUMN_WIDTH, y: row * ROW_HEIGHT });
  }

  join(ends: End[], target: string, label: string | null = null): void {
    for (const end of ends) {
      const edge: LayoutEdge = { id: `${end.source}->${target}`, source: end.source, target, label: joined(end.label, label) };
      if (end.error) edge.error = true;
      this.edges.push(edge);
    }
  }

  flow(items: FlowItem[], column: number, row: number, ends: End[]): Placed {
    let columns = 0;
    let rows = 0;
    let open = ends;
    for (const item of items) {
      const placed = this.item(item, column + columns, row, open);
      columns += placed.columns;
      rows = Math.max(rows, placed.rows);
      open = placed.ends;
    }
    return { columns, rows, ends: open };
  }

  item(item: FlowItem, column: number, row: number, ends: End[]): Placed {
    if (item.kind === "router") return this.router(item, column, row, ends);
    if (item.kind === "if_else") return this.ifElse(item, column, row, ends);
    this.node(item.id, "step", item.module, column, row);
    this.join(ends, item.id, item.filter);
    if (item.handler === null) return { columns: 1, rows: 1, ends: [{ source: item.id, label: null }] };
    // the error handler: a branch down and to the right, its steps, then the directive that ends it
    const handled = this.flow(item.handler.flow, column + 1, row + 1, [{ source: item.id, label: "On error", error: true }]);
    const directive = directiveId(item.id);
    this.node(directive, "directive", null, column + 1 + handled.columns, row + 1, directiveLabel(item.handler.directive));
    this.join(handled.ends, directive);
    return { columns: 2 + handled.columns, rows: 1 + handled.rows, ends: [{ source: item.id, label: null }] };
  }

  /** Paths one below the other from `column`, each starting at `from` with its label. */
  fan(from: string, paths: { label: string | null; flow: FlowItem[] }[], column: number, row: number) {
    let rows = 0;
    let columns = 0;
    const ends: End[] = [];
    for (const path of paths) {
      const placed = this.flow(path.flow, column, row + rows, [{ source: from, label: path.label }]);
      rows += placed.rows;
      columns = Math.max(columns, placed.columns);
      ends.push(...placed.ends);
    }
    return { columns, rows: Math.max(1, rows), ends };
  }

  router(item: RouterItem, column: number, row: number, ends: End[]): Placed {
    this.node(item.id, "router", null, column, row);
    this.join(ends, item.id);
    const paths = item.routes.map((route) => ({
      label: joined(route.label ?? (route.fallback ? "Fallback" : null), route.filter), flow: route.flow,
    }));
    const fanned = this.fan(item.id, paths, column + 1, row);
    return { columns: 1 + fanned.columns, rows: fanned.rows, ends: fanned.ends };
  }

  ifElse(item: IfElseItem, column: number, row: number, ends: End[]): Placed {
    this.node(item.id, "if_else", null, column, row);
    this.join(ends, item.id);
    const paths = item.branches.map((branch, i) => ({ label: branch.label ?? `Condition ${i + 1}`, flow: branch.flow }));
    if (item.otherwise !== null) paths.push({ label: "Else", flow: item.otherwise });
    const fanned = this.fan(item.id, paths, column + 1, row);
    const merge = mergeId(item.id);
    this.node(merge, "merge", null, column + 1 + fanned.columns, row);
    this.join(fanned.ends, merge);
    return { columns: 2 + fanned.columns, rows: fanned.rows, ends: [{ source: merge, label: null }] };
  }
}

const KIND_LABELS: Record<NodeKind, string> = {
  trigger: "Trigger", step: "Step", router: "Router", if_else: "If-else", merge: "Merge", directive: "Error handler",
};

/** What ends an error handler, as a user reads it. */
function directiveLabel(directive: string): string {
  return `${directive.charAt(0).toUpperCase()}${directive.slice(1)}`;
}

/** The id of the node that ends a step's error handler (its directive). */
export function directiveId(stepId: string): string {
  return `${stepId}:on_error`;
}

/** The id of the node where an if-else block's branches meet (no step id can take it: ids have no ":"). */
export function mergeId(blockId: string): string {
  return `${blockId}:merge`;
}

/** Nodes and edges of a definition; `labels` maps module keys to their labels (`GET /apps`). */
export function layoutScenario(definition: unknown, labels: ReadonlyMap<string, string>): Layout {
  const shape = readDefinition(definition);
  const drawing = new Drawing(labels);
  let ends: End[] = [];
  let start = 0;
  if (shape.trigger !== null) {
    drawing.node(shape.trigger.id, "trigger", shape.trigger.module, 0, 0);
    ends = [{ source: shape.trigger.id, label: null }];
    start = 1;
  }
  const placed = drawing.flow(shape.flow, start, 0, ends);
  return { nodes: drawing.nodes, edges: drawing.edges, columns: start + placed.columns, rows: Math.max(1, placed.rows) };
}
