import { memo } from "react";
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type Edge, type EdgeProps } from "@xyflow/react";

export interface LinkEdgeData extends Record<string, unknown> {
  /** The node the link comes from (a step, a router, an if-else block). */
  source: string;
  /** The step the link leads into: its filter (or its route's) is the link's. */
  step: string;
  /** What the link carries (a route's label, the filter's label), or null. */
  label: string | null;
  onOpen: (source: string, step: string) => void;
}

export type LinkFlowEdge = Edge<LinkEdgeData, "link">;

/** In the editor, a link into a step: drawn as any link, with a button on it that opens the step's filter
 * ("Filter before {step}", showing the filter's label when it has one). */
export const LinkEdge = memo(function LinkEdge(props: EdgeProps<LinkFlowEdge>) {
  const { sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, markerEnd, data } = props;
  const [path, x, y] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  if (!data) return <BaseEdge path={path} markerEnd={markerEnd} />;
  return (
    <>
      <BaseEdge path={path} markerEnd={markerEnd} />
      <EdgeLabelRenderer>
        <button type="button" className={`link-filter nodrag nopan${data.label ? " labelled" : ""}`}
          style={{ transform: `translate(-50%, -50%) translate(${x}px, ${y}px)` }}
          aria-label={`Filter before ${data.step}${data.label ? `: ${data.label}` : ""}`}
          onClick={() => data.onOpen(data.source, data.step)}>
          <svg className="link-filter-icon" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false">
            <path d="M1.5 2h13l-5 6.2V14l-3-1.6V8.2z" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" />
          </svg>
          {data.label && <span className="link-filter-label">{data.label}</span>}
        </button>
      </EdgeLabelRenderer>
    </>
  );
});
