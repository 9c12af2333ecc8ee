import { DomainError } from "@gatehouse/domain";
import type { OperatorSession } from "./operator.js";

/** Role and permission ids from the names an operator types; unknown names are the API's errors. */
export async function roleIdOf(op: OperatorSession, name: string): Promise<string> {
  const role = (await op.rbac.listRoles()).find((candidate) => candidate.name === name || candidate.id === name);
  if (role === undefined) throw new DomainError("ROLE_NOT_FOUND", "Role not found");
  return role.id;
}

export async function permissionIdsOf(op: OperatorSession, names: readonly string[]): Promise<string[]> {
  const permissions = await op.rbac.listPermissions();
  const missing = names.filter((name) => !permissions.some((p) => p.name === name));
  if (missing.length > 0) throw new DomainError("PERMISSION_NOT_FOUND", "Unknown permission", { permissions: missing });
  return names.map((name) => permissions.find((p) => p.name === name)?.id ?? name);
}
