import createClient, { type Client, type ClientOptions, type Middleware } from "openapi-fetch";
import type { components, operations, paths } from "./generated/openapi.js";

export type { components, operations, paths };

type Schemas = components["schemas"];
/** The signed-in user (`GET /api/v1/auth/me`). */
export type User = Schemas["User"];
/** An access token and the refresh token that renews it. */
export type TokenPair = Schemas["TokenPair"];
/** A token pair and who it belongs to (login). */
export type LoginResult = Schemas["LoginResult"];
export type Role = Schemas["Role"];
export type Permission = Schemas["Permission"];
export type Session = Schemas["Session"];
export type AuditEntry = Schemas["AuditEntry"];
/** The error envelope of every failed call: `{ success: false, error: { code, message, details, request_id } }`. */
export type ErrorBody = Schemas["Error"];

/** An openapi-fetch client typed by the Gatehouse API's paths. */
export type GatehouseClient = Client<paths>;

export interface GatehouseClientOptions extends ClientOptions {
  /** Where the server is, e.g. `http://localhost:8080` (the paths start with `/api/v1/…`). */
  readonly baseUrl: string;
  /**
   * Read before every request: the access token to send as `Authorization: Bearer …`, or
   * undefined to send none. A request that sets its own Authorization header keeps it.
   */
  readonly accessToken?: () => string | undefined;
}

/** Adds the bearer token to requests that carry no Authorization header of their own. */
function bearerToken(accessToken: () => string | undefined): Middleware {
  return {
    onRequest({ request }) {
      const token = accessToken();
      if (token !== undefined && !request.headers.has("authorization")) {
        request.headers.set("authorization", `Bearer ${token}`);
      }
      return request;
    },
  };
}

/**
 * A typed client for a Gatehouse server: `client.POST("/api/v1/auth/login", { body })` checks
 * the path, the body and the answer against the server's OpenAPI document, and resolves to
 * `{ data }` on success or `{ error }` (an `ErrorBody`) otherwise; it never throws on an HTTP
 * error status.
 */
export function createGatehouseClient(options: GatehouseClientOptions): GatehouseClient {
  const { accessToken, ...clientOptions } = options;
  const client = createClient<paths>(clientOptions);
  if (accessToken !== undefined) client.use(bearerToken(accessToken));
  return client;
}
