import { KeycloakError } from "./keycloak-error.js";

export interface KeycloakResponse {
  readonly status: number;
  readonly body: unknown;
  readonly location: string | null;
}

/**
 * One bounded HTTP call to Keycloak: `timeoutMs` covers connect, headers and body. Network
 * failures and timeouts become KeycloakError("network"); 5xx too (Keycloak is down or broken);
 * other statuses are answered for the caller to judge.
 */
export async function keycloakFetch(
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string | URLSearchParams },
  timeoutMs: number,
): Promise<KeycloakResponse> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    text = await response.text();
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    throw new KeycloakError(
      "network",
      timedOut ? `Keycloak did not answer within ${timeoutMs} ms` : "Keycloak cannot be reached",
    );
  }
  if (response.status >= 500)
    throw new KeycloakError("network", `Keycloak answered ${response.status}`, response.status);
  let body: unknown = text;
  if (text !== "" && (response.headers.get("content-type") ?? "").includes("json")) {
    try {
      body = JSON.parse(text);
    } catch {
      throw new KeycloakError("network", "Keycloak answered malformed JSON", response.status);
    }
  }
  return { status: response.status, body, location: response.headers.get("location") };
}
