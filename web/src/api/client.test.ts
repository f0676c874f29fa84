import { afterEach, expect, it, vi } from "vitest";
import { stubFetch } from "../test/fixtures";
import { ApiError, errorMessageFromBody, getJson } from "./client";

afterEach(() => vi.unstubAllGlobals());

it.each([
  [{ error: "bad query" }, "bad query"],
  [{ data: null, errors: [{ code: 400, msg: "minDuration: invalid duration 'x'" }] }, "minDuration: invalid duration 'x'"],
  [{ errors: [{ msg: "a" }, { msg: "b" }] }, "a; b"],
  [{ detail: "Not Found" }, "Not Found"],
  [{ detail: [{ msg: "field required" }] }, "field required"],
  [{ data: [], errors: null }, null],
  [{ status: "error", errorType: "bad_data", error: "1:5: parse error: unexpected end of input" }, "bad_data: 1:5: parse error: unexpected end of input"],
  ["text", null],
])("reads the message of %j", (body, message) => {
  expect(errorMessageFromBody(body)).toBe(message);
});

it("throws the API's words with the status", async () => {
  stubFetch({ "/api/x": [400, { data: null, errors: [{ code: 400, msg: "limit: must be positive" }] }] });
  const error = await getJson("/api/x").catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).message).toBe("limit: must be positive");
  expect((error as ApiError).status).toBe(400);
});

it("returns the JSON body on success", async () => {
  stubFetch({ "/api/y": [200, { data: [1, 2], errors: null }] });
  await expect(getJson("/api/y")).resolves.toEqual({ data: [1, 2], errors: null });
});

it("explains a network failure", async () => {
  vi.stubGlobal("fetch", async () => {
    throw new TypeError("Failed to fetch");
  });
  await expect(getJson("/api/z")).rejects.toThrow("cannot reach the meshscope server: Failed to fetch");
});

it("shows a plain-text error body as it is (Loki's 400s)", async () => {
  vi.stubGlobal("fetch", async () => new Response("parse error at line 1, col 3: syntax error\n", { status: 400 }));
  await expect(getJson("/loki/api/v1/query_range")).rejects.toThrow(/^parse error at line 1, col 3: syntax error$/);
});
