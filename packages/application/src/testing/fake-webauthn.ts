import {
  counterAdvances,
  type NewWebAuthnCredential,
  type WebAuthnChallenge,
  type WebAuthnChallengeStore,
  type WebAuthnCredential,
  type WebAuthnCredentialRepository,
} from "@gatehouse/domain";
import type { FakeMfa } from "./fake-mfa.js";

type StoredCredential = Omit<WebAuthnCredential, "createdAt" | "lastUsedAt">;

/**
 * In-memory `WebAuthnCredentialRepository` over a {@link FakeMfa}: each credential hangs on a
 * factor of that fake, so removing the factor removes the credential, as the foreign key does.
 */
export class FakeWebAuthnCredentials implements WebAuthnCredentialRepository {
  private readonly credentials: StoredCredential[] = [];
  constructor(private readonly mfa: FakeMfa) {}

  private view(stored: StoredCredential, now?: Date): WebAuthnCredential | undefined {
    const factor = this.mfa.factorById(stored.factorId, now);
    return (
      factor && {
        ...stored,
        transports: [...stored.transports],
        createdAt: factor.createdAt,
        lastUsedAt: factor.lastUsedAt,
      }
    );
  }

  async add(input: NewWebAuthnCredential): Promise<WebAuthnCredential | undefined> {
    if (this.credentials.some((c) => c.credentialId === input.credentialId && this.view(c) !== undefined))
      return undefined;
    const factor = this.mfa.addWebAuthnFactor(input.userId, input.now);
    const { now: _now, ...fields } = input;
    const stored: StoredCredential = { ...fields, transports: [...input.transports], factorId: factor.id };
    this.credentials.push(stored);
    return this.view(stored);
  }

  async listForUser(userId: string): Promise<WebAuthnCredential[]> {
    return this.credentials.flatMap((c) => (c.userId === userId ? (this.view(c) ?? []) : []));
  }

  async findByCredentialId(credentialId: string): Promise<WebAuthnCredential | undefined> {
    const found = this.credentials.find((c) => c.credentialId === credentialId);
    return found && this.view(found);
  }

  async recordAssertion(input: { credentialId: string; counter: number; backupState: boolean; now: Date }) {
    const index = this.credentials.findIndex((c) => c.credentialId === input.credentialId);
    const found = this.credentials[index];
    if (found === undefined || this.view(found) === undefined || !counterAdvances(found.counter, input.counter)) {
      return false;
    }
    this.credentials[index] = { ...found, counter: input.counter, backupState: input.backupState };
    this.view(found, input.now);
    return true;
  }
}

/** In-memory `WebAuthnChallengeStore`: a take is a synchronous delete, so one caller wins. */
export class FakeWebAuthnChallenges implements WebAuthnChallengeStore {
  private readonly challenges = new Map<string, WebAuthnChallenge>();

  async save(challenge: WebAuthnChallenge): Promise<void> {
    this.challenges.set(challenge.challengeHash, challenge);
  }

  async consume(challengeHash: string, now: Date): Promise<WebAuthnChallenge | undefined> {
    const found = this.challenges.get(challengeHash);
    this.challenges.delete(challengeHash);
    return found !== undefined && found.expiresAt.getTime() > now.getTime() ? found : undefined;
  }
}
