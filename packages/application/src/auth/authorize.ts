import {
  type AccessTokenClaims,
  type AuditLog,
  type Clock,
  DomainError,
  hasPermission,
  type RequestContext,
  type UserAccess,
} from "@gatehouse/domain";
import { auditEntryFor } from "../shared/audit-entry-for.js";
import type { LoadAccess } from "./load-access.js";

export interface AuthorizeDeps {
  readonly loadAccess: LoadAccess;
  readonly auditLog: AuditLog;
  readonly clock: Clock;
}

/**
 * The one permission check behind every admin route. `super_admin` passes every check
 * (ARCHITECTURE, Authorization). A refusal is audited as a failure, since repeated forbidden calls are what an
 * administrator wants to see.
 */
export function makeAuthorize(deps: AuthorizeDeps) {
  return async function authorize(
    claims: AccessTokenClaims,
    required: string,
    ctx: RequestContext,
  ): Promise<UserAccess> {
    const own = await deps.loadAccess(claims.sub);
    if (own === undefined) throw new DomainError("SESSION_REVOKED", "Account can no longer hold a session");
    const extra = claims.issuerGrants;
    const access: UserAccess =
      extra === undefined
        ? own
        : {
            roles: [...new Set([...own.roles, ...extra.roles])].sort(),
            permissions: [...new Set([...own.permissions, ...extra.permissions])].sort(),
          };
    if (hasPermission(access, required)) return access;
    await deps.auditLog.append(
      auditEntryFor(deps.clock, ctx, {
        action: "access.denied",
        userId: claims.sub,
        status: "failure",
        details: { required_permission: required },
      }),
    );
    throw new DomainError("INSUFFICIENT_PERMISSIONS", "You do not have the permission this action requires", {
      required_permission: required,
    });
  };
}

export type Authorize = ReturnType<typeof makeAuthorize>;
