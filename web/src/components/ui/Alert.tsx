import { errorMessage } from "@/lib/errors";

/** An API failure said plainly (its message and field), announced at once. */
export function ErrorAlert({ error }: { error: unknown }) {
  if (!error) return null;
  return <p role="alert" className="alert">{errorMessage(error)}</p>;
}

export function Loading({ label }: { label: string }) {
  return <p role="status" className="loading">{label}</p>;
}
