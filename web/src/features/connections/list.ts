/** The connections list: its order, each row's status, and the messages the page says. */

export interface Listed {
  id: string;
  name: string;
  type: string;
  flagged: boolean;
  authorized?: boolean | null;
}

export interface TypeLabel {
  key: string;
  label: string;
}

/** A type's label, or its key when it is not installed. */
export function typeLabel(key: string, types: readonly TypeLabel[]): string {
  return types.find((t) => t.key === key)?.label ?? key;
}

/** By type (its label), then name; case-insensitive, numbers in order. */
export function sortConnections<T extends Listed>(list: readonly T[], types: readonly TypeLabel[]): T[] {
  const compare = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: "base", numeric: true });
  return [...list].sort((a, b) => compare(typeLabel(a.type, types), typeLabel(b.type, types)) || compare(a.name, b.name));
}

export type Tone = "ok" | "warn" | "error" | "plain";

/** What the row's status says: refused by the service, (not) connected for OAuth 2.0, else ready. */
export function statusOf(connection: Listed): { text: string; tone: Tone } {
  if (connection.flagged) return { text: "Refused by the service", tone: "error" };
  if (connection.authorized === true) return { text: "Connected", tone: "ok" };
  if (connection.authorized === false) return { text: "Not connected", tone: "warn" };
  return { text: "Ready", tone: "plain" };
}

export interface Outcome {
  ok: boolean;
  text: string;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** The test's answer, said plainly. */
export function testOutcome(name: string, result: { ok: boolean; message: string }): Outcome {
  return result.ok
    ? { ok: true, text: sentence(`“${name}” works: ${result.message}`) }
    : { ok: false, text: sentence(`“${name}” failed the test: ${result.message}`) };
}

/** What the OAuth callback's redirect says (`?oauth=connected&connection=` or `?oauth=refused&message=`). */
export function oauthOutcome(params: URLSearchParams, list: readonly Listed[] | undefined): Outcome | null {
  const result = params.get("oauth");
  if (result === "connected") {
    const connection = list?.find((c) => c.id === params.get("connection"));
    return { ok: true, text: connection ? `“${connection.name}” is connected.` : "The connection is connected." };
  }
  if (result === "refused") {
    const reason = params.get("message")?.trim() || "no reason given";
    return { ok: false, text: sentence(`Connecting failed: ${reason}`) };
  }
  return null;
}
