/** The one API client: typed from the OpenAPI document (./api/schema.d.ts, `make client`). */
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./api/schema";
import { toApiError } from "./errors";
import { noteActivity } from "./session";

let csrfToken: string | null = null;
let onSessionEnded: (() => void) | null = null;

/** The session's CSRF token (from login or `GET /auth/me`); sent on every state-changing request. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when an authenticated request answers 401: the session ended on the server. */
export function setSessionEndedHandler(handler: (() => void) | null): void {
  onSessionEnded = handler;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Answers that need no session: they say nothing of the session's activity. */
const PUBLIC_PATHS = ["/api/v1/public/", "/api/v1/auth/remembered", "/api/v1/auth/login", "/api/v1/auth/register"];
const AUTH_PATHS = ["/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/auth/me", "/api/v1/auth/logout"];

const session: Middleware = {
  onRequest({ request }) {
    if (csrfToken !== null && UNSAFE.has(request.method)) request.headers.set("X-CSRF-Token", csrfToken);
    return request;
  },
  onResponse({ request, response }) {
    const path = new URL(request.url).pathname;
    if (response.status === 401 && !AUTH_PATHS.includes(path)) onSessionEnded?.();
    else if (response.status !== 401 && !PUBLIC_PATHS.some((p) => path.startsWith(p))) noteActivity();
    return response;
  },
};

export const client = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
client.use(session);

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The answer's data, or the API's error thrown as an ApiError (message, path, Retry-After). */
export async function unwrap<T>(pending: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await pending;
  if (!response.ok) throw toApiError(response.status, error, response.headers.get("Retry-After"));
  return data as T;
}
