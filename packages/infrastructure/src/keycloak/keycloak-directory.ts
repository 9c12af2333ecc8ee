import {
  DomainError,
  type KeycloakAccount,
  type KeycloakAccountState,
  type KeycloakDirectory,
} from "@gatehouse/domain";
import { KeycloakError, toDomainError } from "./keycloak-error.js";
import { type KeycloakResponse, keycloakFetch } from "./keycloak-http.js";
import type { ServiceAccountToken } from "./service-account-token.js";

export interface KeycloakAdminSettings {
  readonly url: string;
  readonly realm: string;
  readonly timeoutMs: number;
}

interface UserRepresentation {
  readonly id: string;
  readonly username: string;
  readonly email?: string;
  readonly enabled?: boolean;
  readonly emailVerified?: boolean;
  readonly attributes?: Record<string, string[]>;
}

const GATEHOUSE_ID = "gatehouse_id";

function accountOf(user: UserRepresentation): KeycloakAccount {
  return {
    id: user.id,
    username: user.username,
    email: user.email ?? null,
    enabled: user.enabled === true,
    emailVerified: user.emailVerified === true,
    gatehouseId: user.attributes?.[GATEHOUSE_ID]?.[0] ?? null,
  };
}

function representationOf(state: KeycloakAccountState) {
  return {
    username: state.username,
    email: state.email,
    firstName: state.firstName,
    lastName: state.lastName,
    enabled: state.enabled,
    emailVerified: state.emailVerified,
    attributes: { [GATEHOUSE_ID]: [state.gatehouseId] },
    // Cleared in the same write as emailVerified: a REST-created account can otherwise keep
    // VERIFY_EMAIL, and the password grant then fails with "Account is not fully set up".
    requiredActions: [],
  };
}

/**
 * The realm's users through Keycloak's admin REST API (a thin typed client over fetch for the
 * eight endpoints used; see README "Keycloak" for why not @keycloak/keycloak-admin-client), as the
 * service account. A 401 renews the service-account token once and retries.
 */
export class KeycloakAdminDirectory implements KeycloakDirectory {
  private readonly base: string;

  constructor(
    private readonly settings: KeycloakAdminSettings,
    private readonly token: ServiceAccountToken,
  ) {
    this.base = `${settings.url}/admin/realms/${encodeURIComponent(settings.realm)}`;
  }

  private async call(method: string, path: string, body?: unknown): Promise<KeycloakResponse> {
    const send = async () => {
      const token = await this.token.get();
      const response = await keycloakFetch(
        `${this.base}${path}`,
        {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        },
        this.settings.timeoutMs,
      );
      if (response.status === 401) this.token.invalidate(token);
      return response;
    };
    const first = await send();
    const response = first.status === 401 ? await send() : first;
    if (response.status === 401 || response.status === 403) {
      throw new KeycloakError(
        "config",
        `the service account may not ${method} ${path.split("/")[1] ?? ""}`,
        response.status,
      );
    }
    return response;
  }

  private async guarded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toDomainError(error);
    }
  }

  private unexpected(response: KeycloakResponse, what: string): never {
    throw new KeycloakError("user_management", `${what} answered ${response.status}`, response.status);
  }

  findByEmail(email: string): Promise<KeycloakAccount | undefined> {
    return this.guarded(async () => {
      const response = await this.call(
        "GET",
        `/users?email=${encodeURIComponent(email)}&exact=true&briefRepresentation=false`,
      );
      if (response.status !== 200 || !Array.isArray(response.body)) this.unexpected(response, "user search");
      const wanted = email.toLowerCase();
      const match = (response.body as UserRepresentation[]).find((user) => user.email?.toLowerCase() === wanted);
      return match === undefined ? undefined : accountOf(match);
    });
  }

  findByGatehouseId(gatehouseId: string): Promise<KeycloakAccount | undefined> {
    return this.guarded(async () => {
      const response = await this.call(
        "GET",
        `/users?q=${encodeURIComponent(`${GATEHOUSE_ID}:${gatehouseId}`)}&exact=true&briefRepresentation=false`,
      );
      if (response.status !== 200 || !Array.isArray(response.body)) this.unexpected(response, "user search");
      // The search matches attribute values loosely on some versions: keep the exact one only.
      const match = (response.body as UserRepresentation[]).find(
        (user) => user.attributes?.[GATEHOUSE_ID]?.[0] === gatehouseId,
      );
      return match === undefined ? undefined : accountOf(match);
    });
  }

  find(id: string): Promise<KeycloakAccount | undefined> {
    return this.guarded(async () => {
      const response = await this.call("GET", `/users/${encodeURIComponent(id)}`);
      if (response.status === 404) return undefined;
      if (response.status !== 200) this.unexpected(response, "user read");
      return accountOf(response.body as UserRepresentation);
    });
  }

  list(first: number, max: number): Promise<KeycloakAccount[]> {
    return this.guarded(async () => {
      const response = await this.call("GET", `/users?first=${first}&max=${max}&briefRepresentation=false`);
      if (response.status !== 200 || !Array.isArray(response.body)) this.unexpected(response, "user list");
      return (response.body as UserRepresentation[]).map(accountOf);
    });
  }

  create(state: KeycloakAccountState, password: string | undefined): Promise<string> {
    return this.guarded(async () => {
      const response = await this.call("POST", "/users", {
        ...representationOf(state),
        ...(password === undefined ? {} : { credentials: [{ type: "password", value: password, temporary: false }] }),
      });
      if (response.status === 409) throw new DomainError("DUPLICATE_EMAIL");
      if (response.status !== 201 || response.location === null) this.unexpected(response, "user create");
      const id = response.location.split("/").pop();
      if (id === undefined || id === "") this.unexpected(response, "user create");
      return decodeURIComponent(id);
    });
  }

  update(id: string, state: KeycloakAccountState): Promise<void> {
    return this.guarded(async () => {
      const response = await this.call("PUT", `/users/${encodeURIComponent(id)}`, representationOf(state));
      if (response.status === 404) throw new DomainError("USER_NOT_FOUND");
      if (response.status === 409) throw new DomainError("DUPLICATE_EMAIL");
      if (response.status !== 204) this.unexpected(response, "user update");
    });
  }

  remove(id: string): Promise<void> {
    return this.guarded(async () => {
      const response = await this.call("DELETE", `/users/${encodeURIComponent(id)}`);
      if (response.status !== 204 && response.status !== 404) this.unexpected(response, "user delete");
    });
  }

  logOutEverywhere(id: string): Promise<void> {
    return this.guarded(async () => {
      const response = await this.call("POST", `/users/${encodeURIComponent(id)}/logout`);
      if (response.status !== 204 && response.status !== 404) this.unexpected(response, "user logout");
    });
  }

  setPassword(id: string, password: string): Promise<void> {
    return this.guarded(async () => {
      const response = await this.call("PUT", `/users/${encodeURIComponent(id)}/reset-password`, {
        type: "password",
        value: password,
        temporary: false,
      });
      if (response.status === 404) throw new DomainError("USER_NOT_FOUND");
      if (response.status !== 204) this.unexpected(response, "password reset");
    });
  }
}
