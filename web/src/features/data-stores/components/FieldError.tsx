/** A form field's problem, under the field; the field points at it with `aria-describedby`. */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return <p id={id} className="field-error">{message}</p>;
}

/** The ids a field is described by: its hint and its problem, when there are. */
export function describedBy(...ids: (string | false | undefined | null)[]): string | undefined {
  const present = ids.filter((id): id is string => typeof id === "string" && id !== "");
  return present.length > 0 ? present.join(" ") : undefined;
}
