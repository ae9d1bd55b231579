import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useBlocker } from "react-router";
import { Dialog } from "@/components/ui/Dialog";
import { ScenarioCanvas, type Point } from "@/features/canvas";
import { ApiError, errorMessage } from "@/lib/errors";
import { saveDefinition, useCatalogue, validateDefinition, type ModuleInfo, type Problem } from "../api/catalogue";
import { targetOf } from "../model/api-paths";
import { copyText, pasteable, readCopy } from "../model/clipboard";
import {
  insertAt, isIfElse, isRouter, locate, newIfElse, newRouter, newStep, removeItem, updateItem, usedIds,
  type Definition, type Filter, type FlowItem, type Json, type Step,
} from "../model/definition";
import { moved, positionsOf, tidied } from "../model/positions";
import { danglingReferences } from "../model/references";
import { readDefinitionText } from "../model/yaml";
import { useEditorState } from "../state";
import type { Filter as FilterValue } from "../filter";
import { FilterDialog } from "./FilterEditor";
import { AddModuleDialog, type CatalogueEntry } from "./AddModuleDialog";
import { download } from "./files";
import { ModuleSettings } from "./ModuleSettings";
import { placesFor } from "./places";
import { stepRuns } from "@/features/inspector";
import { LiveRun, RunOnceDialog, useLatestExecution, useLiveExecution } from "@/features/run";
import { MappingAside, StepIds, type MappingTarget } from "./FieldMapping";
import { SettingsDialog } from "./SettingsDialog";

export interface EditorPageProps {
  scenarioId: string;
  definition: Definition;
  labels: ReadonlyMap<string, string>;
  webhookUrl?: string | null;
  /** Whether the scenario is active (Run once says what happens to a webhook request of an inactive one). */
  active?: boolean;
}

// the versions and their diff load with the dialog (their own chunk)
const VersionsPanel = lazy(() => import("./VersionsPanel").then((m) => ({ default: m.VersionsPanel })));

/** The last steps copied, for when the system clipboard cannot be read. */
let copied: string | null = null;

function isMac(): boolean {
  return /Mac|iPhone|iPad/.test(navigator.platform);
}

interface FieldErrors {
  step: string | null;
  fields: Map<string, string>;
  message: string;
}

/** `/scenarios/{id}`: the scenario editor. The definition is the one source of truth; the canvas, the settings
 * and the export are drawn from it, and each edit is recorded for undo. */
export function EditorPage({ scenarioId, definition: initial, labels, webhookUrl, active = false }: EditorPageProps) {
  const store = useEditorState(initial);
  const { definition, selected, dirty, edit, select } = store;
  const catalogue = useCatalogue();
  const modules = useMemo(() => new Map<string, ModuleInfo>((catalogue.data ?? []).map((m) => [m.key, m])), [catalogue.data]);
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [dialog, setDialog] = useState<"settings" | "versions" | null>(null);
  const [live, setLive] = useState<string | null>(null);
  const execution = useLiveExecution(live);
  const runs = useMemo(() => (execution ? stepRuns(execution) : undefined), [execution]);
  const [runOpen, setRunOpen] = useState<string | null>(null);
  const [mapping, setMapping] = useState<MappingTarget | null>(null);
  const quiet = useRef<HTMLElement | null>(null);
  // the outputs to map: this session's run, else the scenario's latest (fetched once a field is mapped into)
  const latest = useLatestExecution(scenarioId, mapping !== null && live === null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<FieldErrors | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const positions = useMemo(() => positionsOf(definition), [definition]);
  const dangling = useMemo(() => danglingReferences(definition), [definition]);
  const places = useMemo(() => placesFor(definition, selected), [definition, selected]);
  const stepIds = useMemo(() => usedIds(definition), [definition]);
  useEffect(() => setMapping(null), [selected]);

  const save = useCallback(async () => {
    setSaving(true);
    setStatus(null);
    try {
      const saved = await saveDefinition(scenarioId, definition);
      queryClient.setQueryData(["scenarios", scenarioId], saved);
      void queryClient.invalidateQueries({ queryKey: ["scenarios"], exact: true });
      store.markSaved(definition);
      setSaveError(null);
      setStatus("Saved.");
    } catch (error) {
      const target = error instanceof ApiError && error.path ? targetOf(definition, error.path) : null;
      const fields = new Map<string, string>();
      if (target?.step) fields.set(target.field, errorMessage(error));
      setSaveError({ step: target?.step ?? null, fields, message: errorMessage(error) });
      if (target?.step) select(target.step);
    } finally {
      setSaving(false);
    }
  }, [scenarioId, definition, queryClient, store, select]);

  const blocker = useBlocker(({ currentLocation, nextLocation }) =>
    dirty && (currentLocation.pathname !== nextLocation.pathname || currentLocation.search !== nextLocation.search));
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const remove = useCallback((id: string) => {
    if (definition.trigger?.id === id || !locate(definition, id)) return;
    edit((d) => removeItem(d, id), null, null);
    setStatus(`Removed ${id}.`);
  }, [definition, edit]);

  const paste = useCallback((text: string | null) => {
    const items = text ? readCopy(text) : null;
    if (!items) return;
    const fresh = pasteable(definition, items);
    const place = placesFor(definition, selected)[0];
    if (!place) return;
    edit((d) => fresh.reduce((acc, item, i) => insertAt(acc, { ...place.slot, index: place.slot.index + i }, item), d),
      null, fresh[fresh.length - 1]?.id ?? selected);
    setStatus(`Pasted ${fresh.map((i) => i.id).join(", ")}.`);
  }, [definition, selected, edit]);

  const onStepKey = useCallback((id: string, event: KeyboardEvent) => {
    const mod = isMac() ? event.metaKey : event.ctrlKey;
    if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      remove(id);
    } else if (mod && event.key.toLowerCase() === "c") {
      const found = locate(definition, id);
      if (!found) return;
      event.preventDefault();
      copied = copyText([found.item]);
      select(id);
      void navigator.clipboard?.writeText(copied).catch(() => undefined);
      setStatus(`Copied ${id}.`);
    } else if (mod && event.key.toLowerCase() === "v") {
      event.preventDefault();
      const read = navigator.clipboard?.readText ? navigator.clipboard.readText() : Promise.resolve(copied ?? "");
      void read.then((text) => paste(readCopy(text) ? text : copied), () => paste(copied));
    }
  }, [definition, remove, select, paste]);

  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      const mod = isMac() ? event.metaKey : event.ctrlKey;
      if (!mod) return;
      const key = event.key.toLowerCase();
      if (key === "s") {
        event.preventDefault();
        void save();
      } else if (key === "z" || key === "y") {
        const inField = event.target instanceof HTMLElement && event.target.closest("input, textarea, select") !== null;
        if (inField) return; // the field's own undo first
        event.preventDefault();
        if (key === "y" || event.shiftKey) store.redo();
        else store.undo();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [save, store]);

  // the link into a step opens its filter; a route's first link, the route's; a branch's, the if-else block
  const [linkFilter, setLinkFilter] = useState<{ step: string; router?: { id: string; index: number } } | null>(null);
  const onLinkOpen = useCallback((source: string, step: string) => {
    const from = locate(definition, source)?.item;
    if (from && isIfElse(from)) {
      select(source);
      return;
    }
    const index = from && isRouter(from) ? from.router.findIndex((route) => route.flow[0]?.id === step) : -1;
    select(step);
    setLinkFilter(index >= 0 ? { step, router: { id: source, index } } : { step });
  }, [definition, select]);
  const linkValue = useMemo(() => {
    if (!linkFilter) return undefined;
    const item = locate(definition, linkFilter.router?.id ?? linkFilter.step)?.item;
    if (!item) return undefined;
    return linkFilter.router && isRouter(item) ? item.router[linkFilter.router.index]?.filter : (item as Step).filter;
  }, [definition, linkFilter]);
  const applyLinkFilter = (next: FilterValue | null) => {
    if (!linkFilter) return;
    const filter = (next ?? undefined) as Filter | undefined; // the editor's filter is the definition's
    const { router } = linkFilter;
    if (router) {
      edit((d) => updateItem(d, router.id, (item) => (isRouter(item)
        ? { ...item, router: item.router.map((route, j) => (j === router.index ? withFilter(route, filter) : route)) } : item)));
    } else {
      edit((d) => updateItem(d, linkFilter.step, (item) => withFilter(item as Step, filter)));
    }
    setStatus(`Filter ${filter ? "set" : "removed"} before ${linkFilter.step}.`);
  };

  const onMoved = useCallback((id: string, point: Point) => edit((d) => moved(d, id, point)), [edit]);

  const pick = (entry: CatalogueEntry, place: number) => {
    const slot = places[place]?.slot;
    if (!slot) return;
    const item: FlowItem = entry.key === "router" ? newRouter(definition) : entry.key === "if_else" ? newIfElse(definition) : newStep(definition, entry.key);
    edit((d) => insertAt(d, slot, item), null, item.id);
    setAdding(false);
    setStatus(`Added ${item.id}.`);
  };

  const importFile = async (file: File) => {
    try {
      const value = readDefinitionText(await file.text());
      if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("The file holds no scenario definition (an object).");
      const imported = { ...(value as Record<string, Json>) } as unknown as Definition;
      edit(() => imported, null, null);
      const found = await validateDefinition(imported);
      setProblems(found);
      setStatus(found.length === 0 ? `Imported ${file.name}: no problems. Save to keep it.` : `Imported ${file.name} with problems.`);
    } catch (error) {
      setProblems([{ path: "", message: errorMessage(error) }]);
    }
  };

  const settingsErrors = saveError && saveError.step === selected ? saveError.fields : NO_ERRORS;
  return (
    <div className="editor">
      <div className="editor-bar" role="toolbar" aria-label="Editor">
        <label className="editor-name">
          <span className="visually-hidden">Scenario name</span>
          <input type="text" aria-label="Scenario name" value={definition.name}
            onChange={(e) => { const name = e.target.value; edit((d) => ({ ...d, name }), "name"); }} />
        </label>
        {dirty && <span className="badge unsaved">Unsaved changes</span>}
        <button type="button" className="button primary" onClick={() => void save()} disabled={saving}
          aria-keyshortcuts={isMac() ? "Meta+S" : "Control+S"}>{saving ? "Saving…" : "Save"}</button>
        <button type="button" className="button" onClick={store.undo} disabled={!store.canUndo} aria-keyshortcuts="Control+Z">Undo</button>
        <button type="button" className="button" onClick={store.redo} disabled={!store.canRedo} aria-keyshortcuts="Control+Shift+Z">Redo</button>
        <button type="button" className="button" onClick={() => setAdding(true)}>Add module</button>
        <button type="button" className="button" onClick={() => edit(tidied)} disabled={positions.size === 0}>Tidy up</button>
        <RunOnceDialog scenario={{ id: scenarioId, active, webhook_url: webhookUrl ?? null, definition }} onExecution={(id) => { setRunOpen(null); setLive(id); }} />
        <button type="button" className="button" onClick={() => setDialog("settings")}>Scenario settings</button>
        <button type="button" className="button" onClick={() => setDialog("versions")}>Versions</button>
        <button type="button" className="button" onClick={() => download(definition as never, "json")}>Export</button>
        <button type="button" className="button" onClick={() => download(definition as never, "yaml")}>Export YAML</button>
        <button type="button" className="button" onClick={() => fileInput.current?.click()}>Import</button>
        <input ref={fileInput} type="file" accept=".json,.yaml,.yml,application/json" className="visually-hidden" tabIndex={-1}
          aria-hidden="true" onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ""; if (f) void importFile(f); }} />
      </div>
      <p className="visually-hidden" role="status">{status}</p>
      {status && <p className="muted editor-status" aria-hidden="true">{status}</p>}
      {saveError && <p role="alert" className="alert">Not saved: {saveError.message}</p>}
      {problems && problems.length > 0 && (
        <section className="alert problems" aria-label="Problems">
          <h2>Problems in the imported definition</h2>
          <ul>{problems.map((p) => <li key={`${p.path}:${p.message}`}><code>{p.path || "(the whole)"}</code>: {p.message}</li>)}</ul>
        </section>
      )}
      {dangling.length > 0 && (
        <section className="notice problems" aria-label="References to missing steps">
          <h2>References to missing steps</h2>
          <ul>{dangling.map((d) => (
            <li key={`${d.step}:${d.path}:${d.name}`}><code>{d.step}</code> {d.path} refers to <code>{d.name}</code>, which is no step</li>
          ))}</ul>
        </section>
      )}
      <div className={`editor-body${mapping ? " mapping-open" : ""}`}>
        <ScenarioCanvas definition={definition} labels={labels} selected={selected} onSelect={select}
          positions={positions} onMoved={onMoved} onStepKey={onStepKey} runs={runs} onOpenRun={setRunOpen}
          onLinkOpen={onLinkOpen} />
        {selected !== null
          ? (
            <StepIds.Provider value={stepIds}>
              <ModuleSettings definition={definition} stepId={selected} modules={modules} errors={settingsErrors} edit={edit}
                onField={(target) => {
                  if (quiet.current === target.element) quiet.current = null; // the field the mapping was closed back to
                  else setMapping((current) => (current?.element === target.element ? current : target));
                }} />
            </StepIds.Provider>
          )
          : <section className="module-settings card" aria-label="Module settings">
              <p className="muted">Select a module on the canvas (Tab to it, Enter) to see its settings. Delete removes the focused
                step; Ctrl+C and Ctrl+V copy and paste it.</p>
            </section>}
        {selected !== null && mapping !== null && (
          <MappingAside definition={definition} stepId={selected} target={mapping} execution={execution ?? latest.data ?? null}
            onClose={() => { quiet.current = mapping.element; setMapping(null); mapping.element.focus(); }} />
        )}
      </div>
      <AddModuleDialog open={adding} modules={catalogue.data ?? []} places={places} onPick={pick} onClose={() => setAdding(false)} />
      {live !== null && (
        <>
          {dirty && <p className="notice">Run once ran the saved scenario: save to run your latest changes.</p>}
          <LiveRun key={live} scenarioId={scenarioId} executionId={live} definition={definition}
            followed={{ execution, open: runOpen, onOpenChange: setRunOpen }} />
        </>
      )}
      <FilterDialog open={linkFilter !== null} value={linkValue as FilterValue | undefined} onApply={applyLinkFilter}
        onClose={() => setLinkFilter(null)} />
      <Dialog title="Versions" open={dialog === "versions"} onClose={() => setDialog(null)}>
        <div className="versions-dialog">
          {dirty && <p className="notice">Restoring a version replaces your unsaved changes (Undo brings them back).</p>}
          <Suspense fallback={<p className="muted">Loading the versions…</p>}>
            <VersionsPanel scenarioId={scenarioId} onRestored={(scenario) => {
              const restored = scenario.definition as unknown as Definition;
              queryClient.setQueryData(["scenarios", scenarioId], scenario);
              edit(() => restored, null, null);
              store.markSaved(restored);
              setStatus("Restored: the editor shows the restored version.");
            }} />
          </Suspense>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => setDialog(null)}>Close</button>
          </div>
        </div>
      </Dialog>
      <SettingsDialog open={dialog === "settings"} definition={definition} webhookUrl={webhookUrl ?? null} edit={edit}
        onClose={() => setDialog(null)} />
      <Dialog title="Leave without saving?" open={blocker.state === "blocked"} onClose={() => blocker.reset?.()}>
        <p>This scenario has unsaved changes. Leave and lose them?</p>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => blocker.reset?.()}>Stay</button>
          <button type="button" className="button danger" onClick={() => blocker.proceed?.()}>Leave</button>
        </div>
      </Dialog>
    </div>
  );
}

const NO_ERRORS: ReadonlyMap<string, string> = new Map();

/** The step or route with `filter` set, or without one. */
function withFilter<T extends { filter?: Filter }>(item: T, filter: Filter | undefined): T {
  const next = { ...item };
  if (filter === undefined) delete next.filter;
  else next.filter = filter;
  return next;
}
