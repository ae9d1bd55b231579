/** What a pick of the mapping panel does to a field's text (pure): `{{ step.path }}` goes in as it is, or as
 * the bare path when the cursor already stands inside an expression; a function (`name(`) goes in bare inside
 * an expression and wrapped in `{{ }}` outside one, the cursor after its parenthesis. */
export interface Inserted {
  value: string;
  /** Where the cursor goes. */
  cursor: number;
}

const REFERENCE = /^\{\{\s*([\s\S]*?)\s*\}\}$/;

/** Whether position `at` of `text` is inside an open `{{ ... }}`. */
export function insideExpression(text: string, at: number): boolean {
  const before = text.slice(0, at);
  return before.lastIndexOf("{{") > before.lastIndexOf("}}");
}

/** `pick` inserted into `value` over the selection `start`..`end`. */
export function insertPick(value: string, start: number, end: number, pick: string): Inserted {
  const inside = insideExpression(value, start);
  const reference = REFERENCE.exec(pick);
  let piece = pick;
  let caret = pick.length;
  if (reference) {
    piece = inside ? (reference[1] ?? "") : pick;
    caret = piece.length;
  } else if (!inside) {
    piece = `{{ ${pick} }}`;
    caret = 3 + pick.length;
  }
  return { value: value.slice(0, start) + piece + value.slice(end), cursor: start + caret };
}
