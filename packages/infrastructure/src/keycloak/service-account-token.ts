import { KeycloakError } from "./keycloak-error.js";
import { keycloakFetch } from "./keycloak-http.js";

export interface ServiceAccountSettings {
  /** `{url}/realms/{realm}/protocol/openid-connect/token` */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly expiryBufferSeconds: number;
  readonly timeoutMs: number;
  readonly now?: () => number;
}

/**
 * The token manager (ITokenManager) of the admin service account (client-credentials grant). The token is
 * fetched once and reused until `expires_at - buffer`; concurrent callers share one request
 * (single flight: 50 parallel admin calls make one token request); a 401 from the admin API calls
 * `invalidate()` and the next `get()` fetches a new one. Keycloak's admin client does not renew its
 * own token (keycloak/keycloak#44379), which is why this lives here.
 */
export class ServiceAccountToken {
  private current: { readonly value: string; readonly renewAt: number } | undefined;
  private inFlight: Promise<string> | undefined;
  /** Token requests made, for tests and metrics. */
  requests = 0;

  constructor(private readonly settings: ServiceAccountSettings) {}

  private now(): number {
    return this.settings.now?.() ?? Date.now();
  }

  get(): Promise<string> {
    if (this.current !== undefined && this.now() < this.current.renewAt) return Promise.resolve(this.current.value);
    this.inFlight ??= this.fetchToken().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Forgets the token (Keycloak refused it: revoked, or the realm's keys rotated). */
  invalidate(refused?: string): void {
    if (refused === undefined || this.current?.value === refused) this.current = undefined;
  }

  private async fetchToken(): Promise<string> {
    this.requests++;
    const requestedAt = this.now();
    const response = await keycloakFetch(
      this.settings.tokenUrl,
      {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: this.settings.clientId,
          client_secret: this.settings.clientSecret,
        }),
      },
      this.settings.timeoutMs,
    );
    const body = response.body as { access_token?: unknown; expires_in?: unknown };
    if (response.status !== 200 || typeof body.access_token !== "string" || typeof body.expires_in !== "number") {
      // A refused service account is our configuration, not the caller's fault.
      throw new KeycloakError(
        "config",
        `the service-account token request answered ${response.status}`,
        response.status,
      );
    }
    // Measured from when it was requested, so a slow answer never makes the token look fresher.
    const lifetimeMs = Math.max(0, (body.expires_in - this.settings.expiryBufferSeconds) * 1000);
    this.current = { value: body.access_token, renewAt: requestedAt + lifetimeMs };
    return body.access_token;
  }
}
