import {
  type AccessTokenClaims,
  type AccessTokens,
  type Clock,
  DomainError,
  type IssuedAccessToken,
  type OneTimeSecrets,
  type OpaqueTokens,
  type PasswordHasher,
  type SessionAssurance,
  type SessionRevocations,
} from "@gatehouse/domain";

/**
 * A password hasher whose "hash" is readable, and which records every call. `legacy:<password>`
 * stands for an imported hash in another format: it verifies, and asks for a rehash.
 */
export class FakePasswordHasher implements PasswordHasher {
  readonly hashCalls: string[] = [];
  readonly verifyCalls: Array<{ readonly password: string; readonly hash: string | undefined }> = [];

  static hashOf(password: string): string {
    return `hashed:${password}`;
  }

  static legacyHashOf(password: string): string {
    return `legacy:${password}`;
  }

  formatOf(hash: string): string | undefined {
    if (hash.startsWith("hashed:")) return "fake";
    if (hash.startsWith("legacy:")) return "legacy";
    return undefined;
  }

  needsRehash(hash: string): boolean {
    return !hash.startsWith("hashed:");
  }

  async hash(password: string): Promise<string> {
    this.hashCalls.push(password);
    return FakePasswordHasher.hashOf(password);
  }

  async verify(password: string, hash: string | undefined): Promise<boolean> {
    this.verifyCalls.push({ password, hash });
    // With no hash the real hasher burns a dummy verification and says no.
    if (hash === undefined) return false;
    return hash === FakePasswordHasher.hashOf(password) || hash === FakePasswordHasher.legacyHashOf(password);
  }
}

/** Access tokens that are opaque strings backed by a map of claims. */
export class FakeAccessTokens implements AccessTokens {
  private readonly claimsByToken = new Map<string, AccessTokenClaims>();
  private counter = 0;
  readonly issued: Array<{ readonly token: string; readonly claims: AccessTokenClaims }> = [];

  constructor(
    private readonly clock: Clock,
    readonly lifetimeSeconds = 900,
  ) {}

  async issue(subject: {
    readonly userId: string;
    readonly sid: string;
    readonly roles: readonly string[];
    readonly permissions: readonly string[];
    readonly assurance?: SessionAssurance;
  }): Promise<IssuedAccessToken> {
    this.counter += 1;
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    const claims: AccessTokenClaims = {
      sub: subject.userId,
      sid: subject.sid,
      roles: [...subject.roles],
      permissions: [...subject.permissions],
      ...(subject.assurance === undefined
        ? {}
        : {
            amr: [...subject.assurance.amr],
            acr: subject.assurance.acr,
            auth_time: Math.floor(subject.assurance.authTime.getTime() / 1000),
          }),
      jti: `jti-${this.counter}`,
      iat,
      exp: iat + this.lifetimeSeconds,
    };
    const token = `access-${this.counter}`;
    this.claimsByToken.set(token, claims);
    this.issued.push({ token, claims });
    return { token, expiresIn: this.lifetimeSeconds };
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    const claims = this.claimsByToken.get(token);
    if (claims === undefined) throw new DomainError("INVALID_TOKEN", "Access token is invalid");
    if (claims.exp * 1000 <= this.clock.now().getTime()) {
      throw new DomainError("TOKEN_EXPIRED", "Access token has expired");
    }
    return claims;
  }
}

/** Opaque tokens with predictable secrets (`refresh-1`, …) and readable hashes. */
export class FakeOpaqueTokens implements OpaqueTokens {
  private counter = 0;
  readonly generated: string[] = [];

  static hashOf(token: string): string {
    return `sha256(${token})`;
  }

  generate(): { readonly token: string; readonly hash: string } {
    this.counter += 1;
    const token = `refresh-${this.counter}`;
    this.generated.push(token);
    return { token, hash: FakeOpaqueTokens.hashOf(token) };
  }

  hash(token: string): string {
    return FakeOpaqueTokens.hashOf(token);
  }
}

/** The revocation list as a set, recording every `revoke` call. */
export class FakeSessionRevocations implements SessionRevocations {
  private readonly revoked = new Set<string>();
  readonly revokeCalls: Array<readonly string[]> = [];

  async isRevoked(sid: string): Promise<boolean> {
    return this.revoked.has(sid);
  }

  async revoke(sids: readonly string[]): Promise<void> {
    this.revokeCalls.push([...sids]);
    for (const sid of sids) this.revoked.add(sid);
  }

  revokedSids(): string[] {
    return [...this.revoked].sort();
  }
}

/** Predictable codes (`100001`, …) and link tokens (`link-1`, …) with readable "keyed" hashes. */
export class FakeOneTimeSecrets implements OneTimeSecrets {
  private codes = 100_000;
  private tokens = 0;
  readonly issuedCodes: string[] = [];
  readonly issuedTokens: string[] = [];

  newCode(): string {
    this.codes += 1;
    const code = String(this.codes);
    this.issuedCodes.push(code);
    return code;
  }

  newLinkToken(): string {
    this.tokens += 1;
    const token = `link-${this.tokens}`;
    this.issuedTokens.push(token);
    return token;
  }

  hash(secret: string): string {
    return `hmac(${secret})`;
  }

  matches(secret: string, hash: string): boolean {
    return this.hash(secret) === hash;
  }
}
