import type { KeycloakSignIn, KeycloakTokenSet } from "@gatehouse/domain";
import { decodeJwt } from "jose";
import { KeycloakError, toDomainError } from "./keycloak-error.js";
import { type KeycloakResponse, keycloakFetch } from "./keycloak-http.js";

export interface KeycloakClientSettings {
  /** The pinned issuer, `{KEYCLOAK_URL}/realms/{realm}`. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly timeoutMs: number;
  readonly now?: () => number;
}

interface TokenResponse {
  readonly access_token?: unknown;
  readonly refresh_token?: unknown;
  readonly expires_in?: unknown;
  readonly refresh_expires_in?: unknown;
  readonly session_state?: unknown;
  readonly error?: unknown;
}

/**
 * Keycloak's OpenID Connect token and logout endpoints for the user-facing client. The access
 * token is decoded without verification only to read `sub` and `sid`: it came straight from the
 * issuer's token endpoint over this connection (OIDC Core 3.1.3.7), and Gatehouse never accepts it
 * as a bearer token through this path.
 */
export class KeycloakTokenEndpoint implements KeycloakSignIn {
  constructor(private readonly settings: KeycloakClientSettings) {}

  private post(endpoint: "token" | "logout", form: Record<string, string>): Promise<KeycloakResponse> {
    return keycloakFetch(
      `${this.settings.issuer}/protocol/openid-connect/${endpoint}`,
      {
        method: "POST",
        body: new URLSearchParams({
          client_id: this.settings.clientId,
          client_secret: this.settings.clientSecret,
          ...form,
        }),
      },
      this.settings.timeoutMs,
    );
  }

  /** The grant's answer: a token set, undefined for a refusal of the user or session, or a config error. */
  private tokenSet(response: KeycloakResponse): KeycloakTokenSet | undefined {
    const body = (typeof response.body === "object" && response.body !== null ? response.body : {}) as TokenResponse;
    if (response.status === 200 && typeof body.access_token === "string" && typeof body.refresh_token === "string") {
      const claims = decodeJwt(body.access_token);
      if (typeof claims.sub !== "string")
        throw new KeycloakError("token_validation", "Keycloak's token has no subject");
      const now = this.settings.now?.() ?? Date.now();
      const expiresIn = typeof body.expires_in === "number" ? body.expires_in : 0;
      const refreshIn = typeof body.refresh_expires_in === "number" ? body.refresh_expires_in : 0;
      const sid =
        typeof claims.sid === "string"
          ? claims.sid
          : typeof body.session_state === "string"
            ? body.session_state
            : null;
      return {
        subject: claims.sub,
        refreshToken: body.refresh_token,
        accessExpiresAt: new Date(now + expiresIn * 1000),
        // 0 means an offline token or no limit: Keycloak does not say when it ends.
        refreshExpiresAt: refreshIn > 0 ? new Date(now + refreshIn * 1000) : null,
        sessionId: sid,
      };
    }
    // invalid_grant: wrong password, unknown, disabled or not fully set up account, ended session.
    if (body.error === "invalid_grant") return undefined;
    throw new KeycloakError(
      response.status === 401 || body.error === "unauthorized_client" || body.error === "invalid_client"
        ? "config"
        : "authentication",
      `Keycloak's token endpoint answered ${response.status} ${typeof body.error === "string" ? body.error : ""}`.trim(),
      response.status,
    );
  }

  async passwordGrant(username: string, password: string): Promise<KeycloakTokenSet | undefined> {
    try {
      return this.tokenSet(await this.post("token", { grant_type: "password", username, password, scope: "openid" }));
    } catch (error) {
      throw toDomainError(error);
    }
  }

  async refresh(refreshToken: string): Promise<KeycloakTokenSet | undefined> {
    try {
      return this.tokenSet(await this.post("token", { grant_type: "refresh_token", refresh_token: refreshToken }));
    } catch (error) {
      throw toDomainError(error);
    }
  }

  async endSession(refreshToken: string): Promise<void> {
    try {
      const response = await this.post("logout", { refresh_token: refreshToken });
      if (response.status === 204 || response.status === 200) return;
      const body = (response.body ?? {}) as { error?: unknown };
      if (response.status === 400 && body.error === "invalid_grant") return; // already over
      throw new KeycloakError("authentication", `Keycloak's logout answered ${response.status}`, response.status);
    } catch (error) {
      throw toDomainError(error);
    }
  }
}
