import { useEffect, useId, useState } from "react";
import { Link } from "react-router";
import { AddConnectionDialog, useConnections } from "@/features/connections";
import type { ModuleInfo } from "../api/catalogue";
import {
  idProblem, isIfElse, isRouter, locate, updateItem,
  type Definition, type FlowItem, type IfElse, type Json, type OnError, type Router, type Step,
} from "../model/definition";
import { renameStep } from "../model/references";
import { renamedPosition } from "../model/positions";
import { fieldsOf } from "../model/schema-form";
import { summary, type Filter } from "../filter";
import { FilterDialog } from "./FilterEditor";
import { FieldExpression, mappingTargetOf, type MappingTarget } from "./FieldMapping";
import { ParamField } from "./ParamField";

export interface SettingsProps {
  definition: Definition;
  stepId: string;
  modules: ReadonlyMap<string, ModuleInfo>;
  /** Problems the server named, by field path inside the step ("params.url", "id"). */
  errors: ReadonlyMap<string, string>;
  edit: (change: (d: Definition) => Definition, group?: string | null, select?: string | null) => void;
  /** A field that takes expressions got the focus: the mapping panel opens beside it. */
  onField?: (target: MappingTarget) => void;
}

function itemOf(definition: Definition, id: string): FlowItem | undefined {
  return definition.trigger?.id === id ? definition.trigger : locate(definition, id)?.item;
}

/** Region "Module settings" of the selected item: its id, then what its kind has. */
export function ModuleSettings(props: SettingsProps) {
  const item = itemOf(props.definition, props.stepId);
  if (!item) return null;
  const kind = isRouter(item) ? "Router" : isIfElse(item) ? "If-else" : (props.modules.get((item as Step).module)?.label ?? (item as Step).module);
  return (
    <section className="module-settings card" aria-label="Module settings" onFocus={(event) => {
      const target = mappingTargetOf(event);
      if (target) props.onField?.(target);
    }}>
      <h2 className="settings-title">{props.stepId}: {kind}</h2>
      <IdField {...props} />
      {isRouter(item) ? <RouterSettings {...props} router={item} />
        : isIfElse(item) ? <IfElseSettings {...props} block={item} />
        : <StepSettings {...props} step={item as Step} trigger={props.definition.trigger?.id === props.stepId} />}
    </section>
  );
}

function IdField({ definition, stepId, errors, edit }: SettingsProps) {
  const id = useId();
  const [text, setText] = useState(stepId);
  useEffect(() => setText(stepId), [stepId]);
  const problem = text === stepId ? (errors.get("id") ?? null) : idProblem(definition, text, stepId);
  const commit = () => {
    if (text === stepId || idProblem(definition, text, stepId) !== null) return;
    edit((d) => renamedPosition(renameStep(d, stepId, text), stepId, text), null, text);
  };
  return (
    <div className="param">
      <label htmlFor={id} className="param-label">Step id</label>
      <div className="inline-fields">
        <input id={id} type="text" value={text} data-no-mapping aria-invalid={problem ? true : undefined}
          aria-describedby={`${id}-hint${problem ? ` ${id}-error` : ""}`}
          onChange={(e) => setText(e.target.value)} onBlur={commit}
          onKeyDown={(e) => { if (e.key === "Enter") { e.preventDefault(); commit(); } }} />
        <button type="button" className="button small" onClick={commit} disabled={text === stepId || problem !== null}>Rename</button>
      </div>
      <p id={`${id}-hint`} className="param-hint">Renaming rewrites the expressions that refer to this step.</p>
      {problem && <p id={`${id}-error`} className="field-error">{problem}</p>}
    </div>
  );
}

function setKey<T extends object>(object: T, key: string, value: unknown): T {
  const next = { ...object } as Record<string, unknown>;
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next as T;
}

function StepSettings({ step, trigger, stepId, modules, errors, edit }: SettingsProps & { step: Step; trigger: boolean }) {
  const info = modules.get(step.module);
  const fields = fieldsOf(info?.params);
  const change = (f: (s: Step) => Step, group: string | null) => edit((d) => updateItem(d, stepId, (i) => f(i as Step)), group);
  const setParam = (name: string, value: Json | undefined) =>
    change((s) => ({ ...s, params: setKey(s.params ?? {}, name, value) }), `${stepId}.params.${name}`);
  return (
    <>
      {info && info.connectionTypes.length > 0 && (
        <ConnectionPicker types={info.connectionTypes} value={step.connection} error={errors.get("connection")}
          onChange={(c) => change((s) => setKey(s, "connection", c), null)} />
      )}
      {fields.length === 0 && <p className="muted">This module has no settings.</p>}
      {fields.map((spec) => (
        <ParamField key={`${stepId}.${spec.name}`} spec={spec} value={step.params?.[spec.name]}
          error={errors.get(`params.${spec.name}`) ?? [...errors].find(([k]) => k.startsWith(`params.${spec.name}.`))?.[1]}
          onChange={(v) => setParam(spec.name, v)} />
      ))}
      {!info && <p className="alert">Unknown module {step.module}.</p>}
      {!trigger && <FilterFields key={`${stepId}.filter`} value={step.filter} errors={errors}
        onChange={(filter, group) => change((s) => setKey(s, "filter", filter), `${stepId}.filter.${group}`)} />}
      {!trigger && <ErrorHandling key={`${stepId}.on_error`} value={step.on_error} error={errors.get("on_error.output") ?? errors.get("on_error")}
        onChange={(v, group) => change((s) => setKey(s, "on_error", v), group ? `${stepId}.on_error.${group}` : null)} />}
    </>
  );
}

function ConnectionPicker({ types, value, error, onChange }: {
  types: string[]; value?: string; error?: string; onChange: (id: string | undefined) => void;
}) {
  const id = useId();
  const connections = useConnections();
  const [adding, setAdding] = useState(false);
  const usable = (connections.data ?? []).filter((c) => types.includes(c.type));
  return (
    <div className="param">
      <label htmlFor={id} className="param-label">Connection</label>
      <div className="inline-fields">
        <select id={id} value={value ?? ""} aria-invalid={error ? true : undefined} onChange={(e) => onChange(e.target.value || undefined)}>
          <option value="">None</option>
          {usable.map((c) => <option key={c.id} value={c.id}>{c.name} ({c.type})</option>)}
          {value && !usable.some((c) => c.id === value) && <option value={value}>{value} (not found)</option>}
        </select>
        <button type="button" className="button small" onClick={() => setAdding(true)}>Add connection</button>
      </div>
      <p className="param-hint">Of the types {types.join(", ")}. <Link to="/connections">Manage connections</Link></p>
      {error && <p className="field-error">{error}</p>}
      <AddConnectionDialog open={adding} typeKeys={types} onClose={() => setAdding(false)}
        onCreated={(created) => { setAdding(false); onChange(created.id); void connections.refetch(); }} />
    </div>
  );
}

function TextInput({ label, value, onChange, error, code = false, area = false }: {
  label: string; value: string; onChange: (text: string) => void; error?: string; code?: boolean; area?: boolean;
}) {
  const id = useId();
  const props = { id, value, "aria-invalid": error ? true : undefined, "aria-describedby": error ? `${id}-error` : undefined,
    className: code ? "code" : undefined, spellCheck: code ? false : undefined };
  return (
    <div className="param">
      <label htmlFor={id} className="param-label">{label}</label>
      {area ? <textarea {...props} rows={3} onChange={(e) => onChange(e.target.value)} />
        : <input {...props} type="text" onChange={(e) => onChange(e.target.value)} />}
      {code && <FieldExpression text={value} />}
      {error && <p id={`${id}-error`} className="field-error">{error}</p>}
    </div>
  );
}

function FilterFields({ value, errors, onChange }: {
  value: Step["filter"]; errors: ReadonlyMap<string, string>; onChange: (filter: Step["filter"], group: string) => void;
}) {
  const filter = value ?? {};
  const set = (key: "label" | "condition", text: string) => {
    const next = setKey(filter, key, text === "" ? undefined : text);
    onChange(Object.keys(next).length === 0 ? undefined : next, key);
  };
  const [building, setBuilding] = useState(false);
  const described = value ? summary(value as Filter) : "";
  return (
    <fieldset className="settings-group">
      <legend>Filter</legend>
      <p className="param-hint">Bundles for which the condition is false stop before this step.</p>
      <p>
        {described ? <span className="filter-summary">{described}</span> : <span className="muted">No filter.</span>}{" "}
        <button type="button" className="button small" onClick={() => setBuilding(true)}>Edit filter</button>
      </p>
      <FilterDialog open={building} value={value as Filter | undefined} onClose={() => setBuilding(false)}
        onApply={(next) => onChange((next ?? undefined) as Step["filter"], `builder-${Date.now()}`)} />
      <TextInput label="Filter label" value={filter.label ?? ""} onChange={(t) => set("label", t)} error={errors.get("filter.label")} />
      <TextInput label="Filter condition" value={filter.condition ?? ""} code onChange={(t) => set("condition", t)}
        error={errors.get("filter.condition") ?? errors.get("filter")} />
      {filter.conditions && <p className="muted">This filter has {filter.conditions.length} condition group(s) in the structured form.</p>}
    </fieldset>
  );
}

const DIRECTIVES: OnError["directive"][] = ["ignore", "resume", "break", "commit", "rollback"];

function ErrorHandling({ value, error, onChange }: {
  value?: OnError; error?: string; onChange: (value: OnError | undefined, group: string | null) => void;
}) {
  const id = useId();
  const [text, setText] = useState(() => JSON.stringify(value?.output ?? {}, null, 2));
  const [local, setLocal] = useState<string | null>(null);
  return (
    <fieldset className="settings-group">
      <legend>Error handling</legend>
      <label htmlFor={id} className="param-label">If this step fails</label>
      <select id={id} value={value?.directive ?? ""} onChange={(e) => {
        const directive = e.target.value as OnError["directive"] | "";
        onChange(directive === "" ? undefined : { ...(value ?? {}), directive }, null);
      }}>
        <option value="">Stop the run (no handler)</option>
        {DIRECTIVES.map((d) => <option key={d} value={d}>{d}</option>)}
      </select>
      {value?.directive === "resume" && (
        <>
          <TextInput label="Resume output" value={text} code area error={local ?? error} onChange={(t) => {
            setText(t);
            try {
              const output = JSON.parse(t) as Record<string, Json>;
              if (typeof output !== "object" || output === null || Array.isArray(output)) throw new Error("object");
              setLocal(null);
              onChange({ ...value, output }, "output");
            } catch {
              setLocal("The resume output is a JSON object (its values may be expressions)");
            }
          }} />
        </>
      )}
    </fieldset>
  );
}

function RouterSettings({ router, stepId, errors, edit }: SettingsProps & { router: Router }) {
  const [building, setBuilding] = useState<number | null>(null);
  const change = (f: (r: Router) => Router, group: string | null = null) =>
    edit((d) => updateItem(d, stepId, (i) => f(i as Router)), group);
  const setRoute = (i: number, key: string, value: unknown, group: string | null = null) =>
    change((r) => ({ ...r, router: r.router.map((route, j) => (j === i ? setKey(route, key, value) : route)) }), group);
  return (
    <>
      {router.router.map((route, i) => (
        <fieldset className="settings-group" key={i}>
          <legend>Route {i + 1}{route.fallback ? " (fallback)" : ""}</legend>
          <TextInput label={`Route ${i + 1} label`} value={route.label ?? ""}
            onChange={(t) => setRoute(i, "label", t || undefined, `${stepId}.route.${i}.label`)} />
          <label className="check param-check">
            <input type="checkbox" checked={route.fallback === true}
              onChange={(e) => change((r) => ({ ...r, router: r.router.map((x, j) => setKey(x, "fallback", j === i && e.target.checked ? true : (j === i ? undefined : x.fallback))) }))} />
            Fallback route (runs when no other route's filter passed)
          </label>
          {!route.fallback && (
            <p>
              {route.filter ? <span className="filter-summary">{summary(route.filter as Filter)}</span> : <span className="muted">No filter.</span>}{" "}
              <button type="button" className="button small" onClick={() => setBuilding(i)}>Edit route {i + 1} filter</button>
            </p>
          )}
          {!route.fallback && (
            <TextInput label={`Route ${i + 1} condition`} code value={route.filter?.condition ?? ""}
              error={errors.get(`router[${i}].filter.condition`) ?? errors.get(`router[${i}].filter`)}
              onChange={(t) => setRoute(i, "filter", t ? { ...(route.filter ?? {}), condition: t } : undefined, `${stepId}.route.${i}.filter`)} />
          )}
          <button type="button" className="button small ghost" onClick={() => change((r) => ({ ...r, router: r.router.filter((_, j) => j !== i) }))}>
            Remove route {i + 1}
          </button>
        </fieldset>
      ))}
      <button type="button" className="button" onClick={() => change((r) => ({ ...r, router: [...r.router, { label: `Route ${r.router.length + 1}`, flow: [] }] }))}>
        Add route
      </button>
      <FilterDialog open={building !== null} value={building !== null ? (router.router[building]?.filter as Filter | undefined) : undefined}
        onClose={() => setBuilding(null)}
        onApply={(next) => { if (building !== null) setRoute(building, "filter", next ?? undefined, `${stepId}.route.${building}.builder-${Date.now()}`); }} />
    </>
  );
}

function IfElseSettings({ block, stepId, errors, edit }: SettingsProps & { block: IfElse }) {
  const change = (f: (b: IfElse) => IfElse, group: string | null = null) =>
    edit((d) => updateItem(d, stepId, (i) => f(i as IfElse)), group);
  const setBranch = (i: number, key: string, value: unknown) =>
    change((b) => ({ ...b, if_else: b.if_else.map((x, j) => (j === i ? setKey(x, key, value) : x)) }), `${stepId}.branch.${i}.${key}`);
  return (
    <>
      {block.if_else.map((branch, i) => (
        <fieldset className="settings-group" key={i}>
          <legend>Branch {i + 1}</legend>
          <TextInput label={`Branch ${i + 1} label`} value={branch.label ?? ""} onChange={(t) => setBranch(i, "label", t || undefined)} />
          <TextInput label={`Branch ${i + 1} condition`} code value={branch.condition ?? ""}
            error={errors.get(`if_else[${i}].condition`)} onChange={(t) => setBranch(i, "condition", t)} />
          {block.if_else.length > 1 && (
            <button type="button" className="button small ghost" onClick={() => change((b) => ({ ...b, if_else: b.if_else.filter((_, j) => j !== i) }))}>
              Remove branch {i + 1}
            </button>
          )}
        </fieldset>
      ))}
      <div className="settings-actions">
        <button type="button" className="button" onClick={() => change((b) => ({ ...b, if_else: [...b.if_else, { label: `If ${b.if_else.length + 1}`, condition: "{{ true }}", flow: [] }] }))}>
          Add branch
        </button>
        <label className="check param-check">
          <input type="checkbox" checked={block.else !== undefined}
            onChange={(e) => change((b) => setKey(b, "else", e.target.checked ? { flow: [] } : undefined))} />
          Else branch
        </label>
      </div>
    </>
  );
}
