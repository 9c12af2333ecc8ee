import type { AdminActor } from "@gatehouse/application";
import { DomainError, normalizeEmail, type RequestContext, SystemRoles } from "@gatehouse/domain";
import { loadConfig } from "@gatehouse/infrastructure";
import { operatorContext } from "../admin-account.js";
import { type OperatorWiring, openOperatorWiring } from "../wiring/operator.js";

/**
 * The actor of every CLI command: the operator, who holds every permission (whoever can run the
 * CLI can read the database anyway) and is audited with no user id, user agent `gatehouse cli`
 * and a `cli-` request id, like `gatehouse admin create`.
 */
export const CLI_ACTOR: AdminActor = { id: null, access: { roles: [SystemRoles.superAdmin], permissions: [] } };

export interface OperatorSession extends OperatorWiring {
  readonly actor: AdminActor;
  readonly ctx: RequestContext;
  /** A user id from an id or an email (live users; soft-deleted ones by id only). */
  userIdOf(ref: string): Promise<string>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opens the operator's wiring for one command and closes it afterwards, whatever happens. */
export async function withOperator<T>(work: (session: OperatorSession) => Promise<T>): Promise<T> {
  const wiring = await openOperatorWiring(loadConfig());
  try {
    return await work({
      ...wiring,
      actor: CLI_ACTOR,
      ctx: operatorContext("cli"),
      async userIdOf(ref) {
        if (UUID.test(ref)) return ref;
        const user = ref.includes("@") ? await wiring.repositories.users.findByEmail(normalizeEmail(ref)) : undefined;
        if (user === undefined) throw new DomainError("USER_NOT_FOUND", "User not found");
        return user.id;
      },
    });
  } finally {
    await wiring.close();
  }
}
