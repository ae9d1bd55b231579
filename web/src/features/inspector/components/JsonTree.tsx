import { useId, useState } from "react";
import { childrenOf, copyLabel, copyText, entry, initiallyOpen, type JsonEntry } from "../json-tree";

type CopyState = "idle" | "copied" | "failed";

/** Puts a value on the clipboard; says whether it worked (a `role=status` next to it). */
export function CopyButton({ label, value }: { label: string; value: unknown }) {
  const [state, setState] = useState<CopyState>("idle");
  const copy = () => {
    navigator.clipboard.writeText(copyText(value)).then(() => setState("copied"), () => setState("failed"));
  };
  return (
    <>
      <button type="button" className="button small ghost copy-button" aria-label={label} onClick={copy}>Copy</button>
      <span role="status" className="copy-status">{state === "copied" ? "Copied" : state === "failed" ? "Could not copy" : ""}</span>
    </>
  );
}

interface NodeProps {
  item: JsonEntry;
  root: string;
  depth: number;
}

function JsonNode({ item, root, depth }: NodeProps) {
  const [open, setOpen] = useState(initiallyOpen(depth));
  const childrenId = useId();
  const name = item.key === "" ? root : item.key;
  if (!item.expandable) {
    return (
      <li className="json-row">
        {item.key !== "" && <span className="json-key">{item.key}: </span>}
        <span className={`json-value json-${item.kind}`}>{item.text}</span>
      </li>
    );
  }
  const children = open ? childrenOf(item.value, item.path) : null;
  return (
    <li className="json-row">
      <span className="json-line">
        <button type="button" className="json-toggle" aria-expanded={open} aria-controls={childrenId}
          onClick={() => setOpen(!open)}>
          <span className="json-caret" aria-hidden="true">{open ? "▾" : "▸"}</span>
          <span className="json-key">{name}</span> <span className="json-summary">{item.text}</span>
        </button>
        <CopyButton label={copyLabel(root, item.path)} value={item.value} />
      </span>
      <ul id={childrenId} className="json-children" hidden={!open}>
        {children?.entries.map((child) => <JsonNode key={child.key} item={child} root={root} depth={depth + 1} />)}
        {children !== null && children.hidden > 0 && <li className="json-row muted">and {children.hidden} more</li>}
      </ul>
    </li>
  );
}

/** A value as a collapsible tree: each object or array a disclosure button (aria-expanded) with a copy
 * button; the first two levels open. `root` names the tree ("Input") in the copy buttons' names. */
export function JsonTree({ value, root }: { value: unknown; root: string }) {
  const top = entry("", "", value);
  return (
    <ul className="json-tree">
      {top.expandable ? <JsonNode item={top} root={root} depth={0} /> : (
        <li className="json-row">
          <span className={`json-value json-${top.kind}`}>{top.text}</span>{" "}
          <CopyButton label={copyLabel(root, "")} value={value} />
        </li>
      )}
    </ul>
  );
}
