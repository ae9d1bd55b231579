/** Expression highlighting (contract section 4): `{{ ... }}` parts split into tokens (pure). */

export type TokenKind = "text" | "delimiter" | "step" | "function" | "string" | "number" | "keyword" | "code";

export interface Token {
  kind: TokenKind;
  text: string;
}

const KEYWORDS = new Set(["if", "else", "and", "or", "not", "in", "is", "true", "false", "null", "none",
  "True", "False", "None"]);

const PATTERNS: [TokenKind | "name", RegExp][] = [
  ["string", /^("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?)/],
  ["number", /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/],
  ["name", /^[A-Za-z_][A-Za-z0-9_]*(?:\s*(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\s*\d+\s*\]))*/],
];

function push(tokens: Token[], kind: TokenKind, text: string): void {
  const last = tokens.at(-1);
  if (last && last.kind === kind && (kind === "code" || kind === "text")) last.text += text;
  else if (text !== "") tokens.push({ kind, text });
}

/** A name: a function when called (`name(`, or a filter after `|`), a keyword, else a step reference
 * with its path (`hook.body.items[0]`). `steps`, when given, limits step references to those ids. */
function nameKind(name: string, rest: string, previous: Token | undefined, steps?: ReadonlySet<string>): TokenKind {
  const head = name.split(/[.[\s]/, 1)[0] ?? name;
  if (!name.includes(".") && !name.includes("[") && /^\s*\(/.test(rest)) return "function";
  if (previous?.kind === "code" && /\|\s*$/.test(previous.text)) return "function";
  if (KEYWORDS.has(head) && head === name) return "keyword";
  if (steps && !steps.has(head)) return "code";
  return "step";
}

function tokenizeCode(code: string, tokens: Token[], steps?: ReadonlySet<string>): void {
  let rest = code;
  while (rest !== "") {
    let matched = false;
    for (const [kind, pattern] of PATTERNS) {
      const found = pattern.exec(rest);
      if (!found) continue;
      const text = found[0];
      const after = rest.slice(text.length);
      push(tokens, kind === "name" ? nameKind(text, after, tokens.at(-1), steps) : kind, text);
      rest = after;
      matched = true;
      break;
    }
    if (!matched) {
      push(tokens, "code", rest[0] ?? "");
      rest = rest.slice(1);
    }
  }
}

/** The tokens of a field's text: plain text outside `{{ }}`, the delimiters, and inside them step
 * references, functions, strings, numbers, keywords and the rest ("code"). An unclosed `{{` runs to the end. */
export function highlightExpression(text: string, steps?: ReadonlySet<string>): Token[] {
  const tokens: Token[] = [];
  let rest = text;
  while (rest !== "") {
    const open = rest.indexOf("{{");
    if (open < 0) {
      push(tokens, "text", rest);
      break;
    }
    push(tokens, "text", rest.slice(0, open));
    tokens.push({ kind: "delimiter", text: "{{" });
    rest = rest.slice(open + 2);
    const close = rest.indexOf("}}");
    tokenizeCode(close < 0 ? rest : rest.slice(0, close), tokens, steps);
    if (close < 0) break;
    tokens.push({ kind: "delimiter", text: "}}" });
    rest = rest.slice(close + 2);
  }
  return tokens;
}
