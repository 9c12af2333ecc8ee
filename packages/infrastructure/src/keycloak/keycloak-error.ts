import { DomainError } from "@gatehouse/domain";

/** The `KeycloakError` kinds: what went wrong talking to Keycloak, for logs and tests. */
export type KeycloakErrorKind = "authentication" | "token_validation" | "user_management" | "network" | "config";

/**
 * A failure talking to Keycloak, kept inside the adapter: it carries Keycloak's status and the
 * kind, never its body, and is turned into the client-facing DomainError by `toDomainError`.
 */
export class KeycloakError extends Error {
  override readonly name = "KeycloakError";
  constructor(
    readonly kind: KeycloakErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * How a Keycloak failure reaches the API: unreachable, timed out, 5xx or a refused service
 * account (our configuration) all answer 503 IDENTITY_BACKEND_UNAVAILABLE, never a 500 with
 * Keycloak's body.
 */
export function toDomainError(error: unknown): unknown {
  if (error instanceof DomainError) return error;
  if (error instanceof KeycloakError) return new DomainError("IDENTITY_BACKEND_UNAVAILABLE");
  return error;
}
