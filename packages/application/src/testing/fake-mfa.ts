import type { MfaChallenge, MfaFactor, MfaRepository, SessionAssurance, TotpFactorRecord } from "@gatehouse/domain";

interface StoredFactor {
  factor: MfaFactor;
  secretCiphertext: string | null;
  lastTimeStep: number | null;
}

/**
 * In-memory `MfaRepository` for unit tests; JavaScript runs each method's check and write
 * without an await between them, which is what the database's conditional statements give
 * the Drizzle adapter. It passes the same port contract.
 */
export class FakeMfa implements MfaRepository {
  private readonly factors: StoredFactor[] = [];
  private readonly codes: Array<{ factorId: string; userId: string; codeHash: string; usedAt: Date | null }> = [];
  private readonly challenges = new Map<string, MfaChallenge>();
  private readonly assurance = new Map<string, SessionAssurance>();
  private nextId = 1;

  private newId(): string {
    const n = (this.nextId++).toString(16).padStart(12, "0");
    return `00000000-0000-4000-8000-${n}`;
  }

  async listFactors(userId: string): Promise<MfaFactor[]> {
    return this.factors.filter((f) => f.factor.userId === userId).map((f) => f.factor);
  }

  async startTotp(input: { userId: string; secretCiphertext: string; now: Date }): Promise<MfaFactor | undefined> {
    const existing = this.factors.find((f) => f.factor.userId === input.userId && f.factor.type === "totp");
    if (existing?.factor.confirmedAt) return undefined;
    const factor: MfaFactor = {
      id: existing?.factor.id ?? this.newId(),
      userId: input.userId,
      type: "totp",
      confirmedAt: null,
      createdAt: input.now,
      lastUsedAt: null,
    };
    if (existing === undefined)
      this.factors.push({ factor, secretCiphertext: input.secretCiphertext, lastTimeStep: null });
    else Object.assign(existing, { factor, secretCiphertext: input.secretCiphertext, lastTimeStep: null });
    return factor;
  }

  async findTotp(userId: string): Promise<TotpFactorRecord | undefined> {
    const found = this.factors.find((f) => f.factor.userId === userId && f.factor.type === "totp");
    if (found === undefined || found.secretCiphertext === null) return undefined;
    return {
      ...found.factor,
      type: "totp",
      secretCiphertext: found.secretCiphertext,
      lastTimeStep: found.lastTimeStep,
    };
  }

  async acceptTotpStep(input: { factorId: string; timeStep: number; now: Date; confirm: boolean }): Promise<boolean> {
    const found = this.factors.find((f) => f.factor.id === input.factorId && f.factor.type === "totp");
    if (found === undefined || (found.factor.confirmedAt === null) !== input.confirm) return false;
    if (found.lastTimeStep !== null && found.lastTimeStep >= input.timeStep) return false;
    found.lastTimeStep = input.timeStep;
    found.factor = {
      ...found.factor,
      lastUsedAt: input.now,
      confirmedAt: input.confirm ? input.now : found.factor.confirmedAt,
    };
    return true;
  }

  async replaceRecoveryCodes(input: { userId: string; codeHashes: readonly string[]; now: Date }): Promise<MfaFactor> {
    let found = this.factors.find((f) => f.factor.userId === input.userId && f.factor.type === "recovery_codes");
    const id = found?.factor.id ?? this.newId();
    const factor: MfaFactor = {
      id,
      userId: input.userId,
      type: "recovery_codes",
      confirmedAt: found?.factor.confirmedAt ?? input.now,
      createdAt: input.now,
      lastUsedAt: null,
    };
    if (found === undefined) {
      found = { factor, secretCiphertext: null, lastTimeStep: null };
      this.factors.push(found);
    } else found.factor = factor;
    this.codes.splice(0, this.codes.length, ...this.codes.filter((c) => c.factorId !== id));
    for (const codeHash of input.codeHashes)
      this.codes.push({ factorId: id, userId: input.userId, codeHash, usedAt: null });
    return factor;
  }

  async useRecoveryCode(input: { userId: string; codeHash: string; now: Date }): Promise<boolean> {
    const code = this.codes.find(
      (c) => c.userId === input.userId && c.codeHash === input.codeHash && c.usedAt === null,
    );
    if (code === undefined) return false;
    code.usedAt = input.now;
    return true;
  }

  async countUnusedRecoveryCodes(userId: string): Promise<number> {
    return this.codes.filter((c) => c.userId === userId && c.usedAt === null).length;
  }

  /** The confirmed `webauthn` factor a fake credential store registers a credential under. */
  addWebAuthnFactor(userId: string, now: Date): MfaFactor {
    const factor: MfaFactor = {
      id: this.newId(),
      userId,
      type: "webauthn",
      confirmedAt: now,
      createdAt: now,
      lastUsedAt: null,
    };
    this.factors.push({ factor, secretCiphertext: null, lastTimeStep: null });
    return factor;
  }

  /** The live factor `factorId`, with `lastUsedAt` moved to `now` when given. */
  factorById(factorId: string, now?: Date): MfaFactor | undefined {
    const found = this.factors.find((f) => f.factor.id === factorId);
    if (found !== undefined && now !== undefined) found.factor = { ...found.factor, lastUsedAt: now };
    return found?.factor;
  }

  async removeFactor(userId: string, factorId: string): Promise<MfaFactor | undefined> {
    const index = this.factors.findIndex((f) => f.factor.id === factorId && f.factor.userId === userId);
    const [removed] = index === -1 ? [] : this.factors.splice(index, 1);
    if (removed === undefined) return undefined;
    this.codes.splice(0, this.codes.length, ...this.codes.filter((c) => c.factorId !== factorId));
    return removed.factor;
  }

  async removeAllFactors(userId: string): Promise<MfaFactor[]> {
    const removed = this.factors.filter((f) => f.factor.userId === userId);
    this.factors.splice(0, this.factors.length, ...this.factors.filter((f) => f.factor.userId !== userId));
    this.codes.splice(0, this.codes.length, ...this.codes.filter((c) => c.userId !== userId));
    return removed.map((f) => f.factor);
  }

  /**
   * A copy of the factors and codes, and the function that puts it back: the in-memory unit of
   * work restores it when its work throws, as a rolled-back transaction would.
   */
  snapshot(): () => void {
    const factors = structuredClone(this.factors);
    const codes = structuredClone(this.codes);
    return () => {
      this.factors.splice(0, this.factors.length, ...factors);
      this.codes.splice(0, this.codes.length, ...codes);
    };
  }

  async createChallenge(challenge: MfaChallenge): Promise<void> {
    this.challenges.set(challenge.tokenHash, { ...challenge, amr: [...challenge.amr] });
  }

  async findChallenge(tokenHash: string, now: Date): Promise<MfaChallenge | undefined> {
    const found = this.challenges.get(tokenHash);
    return found === undefined || found.expiresAt <= now ? undefined : found;
  }

  async consumeChallenge(
    tokenHash: string,
    now: Date,
    purpose: MfaChallenge["purpose"],
  ): Promise<MfaChallenge | undefined> {
    const found = this.challenges.get(tokenHash);
    if (found === undefined || found.expiresAt <= now || found.purpose !== purpose) return undefined;
    this.challenges.delete(tokenHash);
    return found;
  }

  async recordSessionAssurance(input: {
    sessionId: string;
    userId: string;
    assurance: SessionAssurance;
  }): Promise<void> {
    this.assurance.set(input.sessionId, { ...input.assurance, amr: [...input.assurance.amr] });
  }

  async findSessionAssurance(sessionId: string): Promise<SessionAssurance | undefined> {
    return this.assurance.get(sessionId);
  }
}
