/**
 * A small YAML emitter for definitions, and a parser for what it emits (plus JSON, which is YAML).
 *
 * Emitted: block mappings and sequences, two spaces a level; every string double-quoted (JSON's
 * escapes), so that no string is mistaken for a number, a boolean or a comment; numbers, booleans
 * and null bare; empty objects and lists as `{}` and `[]`.
 */
import type { Json } from "./definition";

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function key(name: string): string {
  return KEY.test(name) ? name : JSON.stringify(name);
}

function scalar(value: Json): string | null {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value) && value.length === 0) return "[]";
  if (!Array.isArray(value) && Object.keys(value).length === 0) return "{}";
  return null;
}

function lines(value: Json, indent: string): string[] {
  const out: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      const flat = scalar(item);
      if (flat !== null) out.push(`${indent}- ${flat}`);
      else {
        const inner = lines(item, `${indent}  `);
        out.push(`${indent}- ${(inner[0] ?? "").trimStart()}`, ...inner.slice(1));
      }
    }
    return out;
  }
  for (const [name, item] of Object.entries(value as Record<string, Json>)) {
    const flat = scalar(item);
    if (flat !== null) out.push(`${indent}${key(name)}: ${flat}`);
    else out.push(`${indent}${key(name)}:`, ...lines(item, `${indent}  `));
  }
  return out;
}

/** `value` as YAML text (ending with a newline). */
export function toYaml(value: Json): string {
  const flat = scalar(value);
  return `${flat ?? lines(value, "").join("\n")}\n`;
}

interface Line {
  indent: number;
  text: string;
  number: number;
}

export class YamlError extends Error {}

function readScalar(text: string, line: number): Json {
  const t = text.trim();
  if (t === "~" || t === "null") return null;
  if (t === "true") return true;
  if (t === "false") return false;
  if (t.startsWith('"') || t.startsWith("[") || t.startsWith("{") || /^-?\d/.test(t)) {
    try {
      return JSON.parse(t) as Json;
    } catch {
      if (/^-?\d/.test(t)) return t;
      throw new YamlError(`line ${line}: cannot read ${t}`);
    }
  }
  if (t.startsWith("'") && t.endsWith("'") && t.length >= 2) return t.slice(1, -1).replace(/''/g, "'");
  return t;
}

function splitKey(text: string, line: number): [string, string] {
  if (text.startsWith('"')) {
    const end = /^"(?:[^"\\]|\\.)*"/.exec(text)?.[0];
    if (!end || text[end.length] !== ":") throw new YamlError(`line ${line}: expected "key": value`);
    return [JSON.parse(end) as string, text.slice(end.length + 1)];
  }
  const at = text.indexOf(":");
  if (at < 0) throw new YamlError(`line ${line}: expected key: value`);
  return [text.slice(0, at).trim(), text.slice(at + 1)];
}

class Reader {
  private at = 0;
  constructor(private readonly all: Line[]) {}

  block(indent: number): Json {
    const first = this.all[this.at];
    if (!first || first.indent < indent) return null;
    return first.text.startsWith("- ") || first.text === "-" ? this.list(first.indent) : this.map(first.indent);
  }

  private list(indent: number): Json[] {
    const out: Json[] = [];
    for (let line = this.all[this.at]; line && line.indent === indent && line.text.startsWith("-"); line = this.all[this.at]) {
      const rest = line.text.slice(1).trimStart();
      if (rest === "") {
        this.at += 1;
        out.push(this.block(indent + 1));
      } else if (rest === "-" || rest.startsWith("- ")) {
        // "- - x": a list inside the list
        this.all[this.at] = { indent: indent + 2, text: rest, number: line.number };
        out.push(this.list(indent + 2));
      } else if (/^("(?:[^"\\]|\\.)*"|[^"'[{][^:]*):(\s|$)/.test(rest)) {
        // "- key: value": a mapping whose first key sits on the dash's line
        this.all[this.at] = { indent: indent + 2, text: rest, number: line.number };
        out.push(this.map(indent + 2));
      } else {
        this.at += 1;
        out.push(readScalar(rest, line.number));
      }
    }
    return out;
  }

  private map(indent: number): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (let line = this.all[this.at]; line && line.indent === indent && !line.text.startsWith("- "); line = this.all[this.at]) {
      const [name, rest] = splitKey(line.text, line.number);
      this.at += 1;
      const next = this.all[this.at];
      const sameLevelList = next !== undefined && next.indent === indent && (next.text === "-" || next.text.startsWith("- "));
      if (rest.trim() !== "") out[name] = readScalar(rest, line.number);
      else out[name] = sameLevelList ? this.list(indent) : this.block(indent + 1);
    }
    const next = this.all[this.at];
    if (next && next.indent > indent) throw new YamlError(`line ${next.number}: unexpected indentation`);
    return out;
  }

  done(): boolean {
    return this.at >= this.all.length;
  }

  line(): number {
    return this.all[this.at]?.number ?? 0;
  }
}

/** The value of YAML text as `toYaml` writes it (comments and blank lines skipped); throws YamlError. */
export function fromYaml(text: string): Json {
  const all: Line[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === "" || raw.trimStart().startsWith("#") || raw.trim() === "---") return;
    if (raw.includes("\t")) throw new YamlError(`line ${i + 1}: tabs are not allowed for indentation`);
    all.push({ indent: raw.length - raw.trimStart().length, text: raw.trim(), number: i + 1 });
  });
  if (all.length === 1 && !/^("[^"]*"|[^"'[{]+):(\s|$)/.test(all[0]?.text ?? "") && !all[0]?.text.startsWith("- ")) {
    return readScalar(all[0]?.text ?? "", 1);
  }
  const reader = new Reader(all);
  const value = reader.block(0);
  if (!reader.done()) throw new YamlError(`line ${reader.line()}: unexpected indentation`);
  return value;
}

/** A definition file's content: JSON when it parses as JSON, else YAML. */
export function readDefinitionText(text: string): Json {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      return JSON.parse(trimmed) as Json;
    } catch {
      // fall through: YAML flow style is not supported, so report as YAML would
    }
  }
  return fromYaml(text);
}
