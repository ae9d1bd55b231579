import { useEffect, useId, useMemo, useState, type KeyboardEvent } from "react";
import { Dialog } from "@/components/ui/Dialog";
import type { ModuleInfo } from "../api/catalogue";
import { AppIcon } from "@/features/canvas";

export interface CatalogueEntry {
  /** A module key, or "router" / "if_else". */
  key: string;
  name: string;
  description: string;
}

export interface Place {
  label: string;
}

interface AddModuleDialogProps {
  open: boolean;
  modules: ModuleInfo[];
  /** Where the new item can go (a route, a branch, after the selected step); the first is the default. */
  places: Place[];
  onPick: (entry: CatalogueEntry, place: number) => void;
  onClose: () => void;
}

const CONTROL: CatalogueEntry[] = [
  { key: "router", name: "Flow control: Router", description: "Sends each bundle down several routes, one a fallback." },
  { key: "if_else", name: "Flow control: If-else", description: "Runs the first branch whose condition holds, else the else; the flow merges after." },
];

export function entriesOf(modules: ModuleInfo[]): CatalogueEntry[] {
  const steps = modules.filter((m) => m.kind !== "trigger")
    .map((m) => ({ key: m.key, name: `${m.appLabel}: ${m.label}`, description: m.description }));
  return [...CONTROL, ...steps];
}

export function matching(entries: CatalogueEntry[], query: string): CatalogueEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return entries.filter((e) => {
    const hay = `${e.name} ${e.key} ${e.description}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** "Add module": search the catalogue, move with the arrows, Enter (or a click) inserts. */
export function AddModuleDialog({ open, modules, places, onPick, onClose }: AddModuleDialogProps) {
  return (
    <Dialog title="Add module" open={open} onClose={onClose}>
      <Catalogue modules={modules} places={places} onPick={onPick} onClose={onClose} />
    </Dialog>
  );
}

function Catalogue({ modules, places, onPick, onClose }: Omit<AddModuleDialogProps, "open">) {
  const id = useId();
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const [place, setPlace] = useState(0);
  const all = useMemo(() => entriesOf(modules), [modules]);
  const shown = useMemo(() => matching(all, query), [all, query]);
  const current = Math.min(active, shown.length - 1);
  useEffect(() => {
    document.getElementById(`${id}-${current}`)?.scrollIntoView({ block: "nearest" });
  }, [id, current]);
  const pick = (entry: CatalogueEntry | undefined) => entry && onPick(entry, place);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive(Math.max(0, Math.min(shown.length - 1, current + step)));
    } else if (event.key === "Enter") {
      event.preventDefault();
      pick(shown[current]);
    }
  };
  return (
    <div className="add-module">
      {places.length > 1 && (
        <label className="field">
          <span>Insert into</span>
          <select value={place} onChange={(e) => setPlace(Number(e.target.value))}>
            {places.map((p, i) => <option key={p.label} value={i}>{p.label}</option>)}
          </select>
        </label>
      )}
      {places.length === 1 && <p className="muted">{places[0]?.label}</p>}
      <input type="search" className="module-search" aria-label="Search modules" placeholder="Search modules" value={query}
        role="searchbox" aria-controls={`${id}-list`} autoFocus
        aria-activedescendant={shown[current] ? `${id}-${current}` : undefined}
        onChange={(e) => { setQuery(e.target.value); setActive(0); }} onKeyDown={onKeyDown} />
      <ul id={`${id}-list`} role="listbox" aria-label="Modules" className="module-list" tabIndex={0} onKeyDown={onKeyDown}
        aria-activedescendant={shown[current] ? `${id}-${current}` : undefined}>
        {shown.map((entry, i) => (
          <li key={entry.key} id={`${id}-${i}`} role="option" aria-selected={i === current}
            aria-describedby={`${id}-${i}-d`}
            className={i === current ? "active" : undefined} onClick={() => pick(entry)} onMouseEnter={() => setActive(i)}>
            <AppIcon module={entry.key} label={entry.name} />
            <span className="module-option-text">
              <span className="module-option-name">{entry.name}</span>
              <span id={`${id}-${i}-d`} className="module-option-description" aria-hidden="true">{entry.description}</span>
            </span>
          </li>
        ))}
      </ul>
      {shown.length === 0 && <p role="status">No module matches “{query}”.</p>}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>Cancel</button>
      </div>
    </div>
  );
}
