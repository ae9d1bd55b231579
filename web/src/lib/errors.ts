/** The API's one error shape, `{"error": {"code", "message", "path"?}}`, as the UI shows it. */

export interface ApiErrorBody {
  error: { code: string; message: string; path?: string | null };
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly path: string | null;
  readonly retryAfterSeconds: number | null;

  constructor(status: number, code: string, message: string, path: string | null, retryAfterSeconds: number | null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.path = path;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

function isErrorBody(body: unknown): body is ApiErrorBody {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const error = (body as { error: unknown }).error;
  return typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string";
}

/** `Retry-After` in seconds (a number of seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === "") return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const when = Date.parse(value);
  return Number.isNaN(when) ? null : Math.max(0, Math.ceil((when - now) / 1000));
}

/** An ApiError from a failed answer's status, parsed body and headers. */
export function toApiError(status: number, body: unknown, retryAfter: string | null = null): ApiError {
  const seconds = parseRetryAfter(retryAfter);
  if (isErrorBody(body)) {
    const { code, message, path } = body.error;
    return new ApiError(status, code ?? "error", message, path ?? null, seconds);
  }
  return new ApiError(status, "error", `The server answered ${status}.`, null, seconds);
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === "") return trimmed;
  const first = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/** What to tell the user about a failure: the API's message, its field, and when to try again. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) {
      const wait = error.retryAfterSeconds;
      return wait === null
        ? "Too many attempts. Please wait a moment and try again."
        : `Too many attempts. Try again in ${wait} ${wait === 1 ? "second" : "seconds"}.`;
    }
    if (!error.path) return sentence(error.message);
    const prefix = `${error.path}: `;
    const bare = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    return sentence(`${bare.trim().replace(/[.!?]$/, "")} (field: ${error.path})`);
  }
  if (error instanceof TypeError) return "The server cannot be reached. Check your connection and try again.";
  if (error instanceof Error) return sentence(error.message);
  return "Something went wrong.";
}
