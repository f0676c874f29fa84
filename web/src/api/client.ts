// Fetching JSON from the server and reporting its errors in the server's own words.

export class ApiError extends Error {
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function messagesFromErrors(errors: unknown): string[] {
  if (!Array.isArray(errors)) return [];
  return errors
    .map((item) => (isRecord(item) ? (item.msg ?? item.message) : item))
    .filter((text): text is string => typeof text === "string" && text !== "");
}

/**
 * The message an error body carries: `{error}`, `{errors:[{msg}]}` or FastAPI's `{detail}`; Prometheus-style
 * `{errorType, error}` reads "errorType: error", as the Prometheus UI shows it.
 */
export function errorMessageFromBody(body: unknown): string | null {
  if (!isRecord(body)) return null;
  const listed = messagesFromErrors(body.errors);
  if (listed.length > 0) return listed.join("; ");
  if (typeof body.error === "string" && body.error) {
    return typeof body.errorType === "string" && body.errorType ? `${body.errorType}: ${body.error}` : body.error;
  }
  if (typeof body.detail === "string" && body.detail) return body.detail;
  const details = messagesFromErrors(body.detail);
  return details.length > 0 ? details.join("; ") : null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** GETs a URL and returns its JSON; throws ApiError with the server's message on failure. */
export function getJson<T>(url: string, signal?: AbortSignal, headers?: Record<string, string>): Promise<T> {
  return requestJson<T>(url, { signal, headers });
}

/** POSTs a text body (e.g. a SQL statement) and returns the JSON reply, with errors as getJson reports them. */
export function postText<T>(url: string, body: string, signal?: AbortSignal): Promise<T> {
  return requestJson<T>(url, { method: "POST", body, signal, headers: { "Content-Type": "text/plain" } });
}

async function requestJson<T>(url: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { Accept: "application/json", ...init.headers } });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(`cannot reach the meshscope server: ${(error as Error).message}`, 0);
  }
  const text = await response.text();
  const body = parseJson(text);
  const message = errorMessageFromBody(body);
  if (!response.ok) {
    // Loki answers a bad query with its message as plain text.
    const plain = body === undefined && text.trim() && !text.trimStart().startsWith("<") ? text.trim().slice(0, 1000) : null;
    const fallback = plain ?? `HTTP ${response.status} ${response.statusText}${text ? `: ${text.slice(0, 300)}` : ""}`;
    throw new ApiError(message ?? fallback, response.status);
  }
  if (body === undefined) throw new ApiError(`the server sent a reply that is not JSON from ${url}`, response.status);
  if (message && isRecord(body) && body.data == null) throw new ApiError(message, response.status);
  return body as T;
}
