import { useId, useMemo, useState } from "react";
import { FUNCTIONS, type FunctionDoc } from "../functions.generated";

/** The function's text to insert: `name(` for a function, the keyword itself otherwise. */
export function functionInsert(doc: FunctionDoc): string {
  return doc.signature.includes("(") ? `${doc.name}(` : doc.name;
}

/** Functions whose name, signature or description hold every word of the query. */
export function searchFunctions(query: string, docs: readonly FunctionDoc[] = FUNCTIONS): FunctionDoc[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return docs.filter((doc) => {
    const haystack = `${doc.signature} ${doc.category} ${doc.description}`.toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

/** A description with its `code` parts (Markdown backticks) as code. */
function Described({ text }: { text: string }) {
  return <>{text.split("`").map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part))}</>;
}

/** Searchable list of Make's functions (docs/functions.md): signature and one-line description; a click inserts. */
export function FunctionPicker({ onInsert }: { onInsert: (text: string) => void }) {
  const id = useId();
  const [query, setQuery] = useState("");
  const found = useMemo(() => searchFunctions(query), [query]);
  return (
    <section className="function-picker" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="mapping-title">Functions</h3>
      <input type="search" className="search" aria-label="Search functions" placeholder="Search functions"
        value={query} onChange={(e) => setQuery(e.target.value)} />
      <p role="status" className="muted small-text">{found.length} of {FUNCTIONS.length} functions</p>
      <ul className="function-list" aria-label="Functions">
        {found.map((doc) => (
          <li key={`${doc.category}-${doc.signature}`}>
            <button type="button" className="function-button" onClick={() => onInsert(functionInsert(doc))}
              aria-label={`${doc.signature}, insert ${doc.name}`} aria-describedby={`${id}-${doc.category}-${doc.name}`}>
              <code>{doc.signature}</code>
            </button>
            <span id={`${id}-${doc.category}-${doc.name}`} className="function-description"><Described text={doc.description} /></span>
          </li>
        ))}
      </ul>
    </section>
  );
}
