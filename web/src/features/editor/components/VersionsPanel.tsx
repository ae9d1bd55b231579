import { useMemo, useState } from "react";
import { ErrorAlert, Loading } from "@/components/ui/Alert";
import { Dialog } from "@/components/ui/Dialog";
import { dateTimeText } from "@/lib/format";
import { useRestoreVersion, useVersions, type ScenarioPublic, type Version } from "../api/editor";
import { changeCount, diffDefinitions, hunks, type DiffLine } from "../diff";

interface VersionsPanelProps {
  scenarioId: string;
  /** Called with the scenario once an old version was restored. */
  onRestored?: (scenario: ScenarioPublic) => void;
}

/** The saved versions, newest first: compare any two as a line diff, restore an old one. */
export function VersionsPanel({ scenarioId, onRestored }: VersionsPanelProps) {
  const versions = useVersions(scenarioId);
  const restore = useRestoreVersion(scenarioId);
  const [picked, setPicked] = useState<number[]>([]);
  const [compared, setCompared] = useState<[number, number] | null>(null);
  const [restoring, setRestoring] = useState<number | null>(null);
  const [restored, setRestored] = useState<number | null>(null);
  const all = useMemo(() => versions.data?.pages.flat() ?? [], [versions.data]);
  const byN = useMemo(() => new Map(all.map((v) => [v.n, v])), [all]);

  const toggle = (n: number, on: boolean) =>
    setPicked((current) => (on ? [...current.filter((x) => x !== n), n].slice(-2) : current.filter((x) => x !== n)));
  const compare = () => {
    const [x = 0, y = 0] = [...picked].sort((p, q) => p - q);
    setCompared([x, y]);
  };
  const confirmRestore = () => {
    if (restoring === null) return;
    const n = restoring;
    restore.mutate(n, {
      onSuccess: (scenario) => { setRestoring(null); setRestored(n); onRestored?.(scenario); },
    });
  };

  const older = compared ? byN.get(compared[0]) : undefined;
  const newer = compared ? byN.get(compared[1]) : undefined;
  return (
    <div className="versions-panel">
      {versions.isPending && <Loading label="Loading the versions…" />}
      <ErrorAlert error={versions.error} />
      {restored !== null && <p role="status" className="notice">Version {restored} restored; it is now the newest version.</p>}
      {all.length > 0 && (
        <>
          <p className="muted">Pick two versions to compare them.</p>
          <ul aria-label="Versions" className="version-list">
            {all.map((version, index) => (
              <li key={version.n} className="version-item">
                <label className="check">
                  <input type="checkbox" checked={picked.includes(version.n)} onChange={(e) => toggle(version.n, e.target.checked)} />
                  <span>
                    <strong>Version {version.n}</strong>{index === 0 ? " (current)" : ""}
                    <span className="small-text muted">saved {dateTimeText(version.saved_at)} · {String(version.definition.name ?? "")}</span>
                  </span>
                </label>
                {index > 0 && (
                  <button type="button" className="button small" onClick={() => { restore.reset(); setRestoring(version.n); }}>
                    Restore version {version.n}
                  </button>
                )}
              </li>
            ))}
          </ul>
          <div className="actions">
            <button type="button" className="button primary" disabled={picked.length !== 2} onClick={compare}>Compare</button>
            {versions.hasNextPage && (
              <button type="button" className="button" disabled={versions.isFetchingNextPage} onClick={() => void versions.fetchNextPage()}>
                Show older versions
              </button>
            )}
          </div>
        </>
      )}
      {older && newer && <VersionDiff older={older} newer={newer} />}
      <Dialog title={`Restore version ${restoring ?? ""}?`} open={restoring !== null} onClose={() => setRestoring(null)}>
        <p>Version {restoring}'s definition is saved again as the newest version. The versions in between are kept.</p>
        <ErrorAlert error={restore.error} />
        <div className="dialog-actions">
          <button type="button" className="button ghost" onClick={() => setRestoring(null)}>Cancel</button>
          <button type="button" className="button primary" disabled={restore.isPending} onClick={confirmRestore}>Restore</button>
        </div>
      </Dialog>
    </div>
  );
}

function VersionDiff({ older, newer }: { older: Version; newer: Version }) {
  const lines = useMemo(() => diffDefinitions(older.definition, newer.definition), [older, newer]);
  const { added, removed } = changeCount(lines);
  const title = `Changes from version ${older.n} to version ${newer.n}`;
  return (
    <section className="diff" aria-label={title}>
      <h3>{title}</h3>
      <p className="muted">
        {added + removed === 0 ? "The two versions are the same." : `${added} ${added === 1 ? "line" : "lines"} added, ${removed} removed.`}
      </p>
      {added + removed > 0 && (
        <ol className="diff-lines" aria-label="Changed lines">
          {hunks(lines).map((block, i) => (block.kind === "skipped"
            ? <li key={`s${i}`} className="diff-skip">… {block.count} unchanged {block.count === 1 ? "line" : "lines"}</li>
            : block.lines.map((line, j) => <DiffRow key={`${i}-${j}`} line={line} />)))}
        </ol>
      )}
    </section>
  );
}

const MARK = { added: "+", removed: "−", same: " " } as const;
const SPOKEN = { added: "Added: ", removed: "Removed: ", same: "" } as const;

function DiffRow({ line }: { line: DiffLine }) {
  return (
    <li className={`diff-line diff-${line.kind}`}>
      <span className="diff-no" aria-hidden="true">{line.oldNo ?? ""}</span>
      <span className="diff-no" aria-hidden="true">{line.newNo ?? ""}</span>
      <span className="diff-mark" aria-hidden="true">{MARK[line.kind]}</span>
      <code className="diff-text"><span className="visually-hidden">{SPOKEN[line.kind]}</span>{line.text}</code>
    </li>
  );
}
