import { DomainError, type FederatedIdentity, type FederatedIdentityRepository } from "@gatehouse/domain";

/**
 * The fake `FederatedIdentityRepository`, on its own array: it does not take part in
 * `InMemoryDatabase`'s rollback, so a test that needs a failed unit of work to undo a link runs
 * on PGlite. Passes the same port contract as the Drizzle adapter.
 */
export class FakeFederatedIdentities implements FederatedIdentityRepository {
  private rows: FederatedIdentity[] = [];
  private nextId = 1;

  async findBySubject(provider: string, subject: string) {
    return this.rows.find((row) => row.provider === provider && row.subject === subject);
  }

  async listForUser(userId: string) {
    return this.rows
      .filter((row) => row.userId === userId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  }

  async link(identity: { userId: string; provider: string; subject: string; email: string | null; at: Date }) {
    // Checked and inserted without an await in between, like the database's unique index.
    if (this.rows.some((row) => row.provider === identity.provider && row.subject === identity.subject)) {
      throw new DomainError("IDENTITY_ALREADY_LINKED");
    }
    const row: FederatedIdentity = {
      id: `00000000-0000-4000-8000-${String(this.nextId).padStart(12, "0")}`,
      userId: identity.userId,
      provider: identity.provider,
      subject: identity.subject,
      email: identity.email,
      createdAt: identity.at,
      lastLoginAt: identity.at,
    };
    this.nextId += 1;
    this.rows.push(row);
    return row;
  }

  async touch(id: string, at: Date) {
    this.rows = this.rows.map((row) => (row.id === id ? { ...row, lastLoginAt: at } : row));
  }

  async unlink(id: string, userId: string) {
    const before = this.rows.length;
    this.rows = this.rows.filter((row) => !(row.id === id && row.userId === userId));
    return this.rows.length < before;
  }
}
