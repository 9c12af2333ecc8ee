import type { AdminActor, Authorize } from "@gatehouse/application";
import type { FastifyRequest } from "fastify";
import { claimsOf } from "./auth-hook.js";
import { requestContext } from "./request-context.js";

/**
 * The single permission check: routes declare `config: { permission: "users:read" }` and
 * this hook, running after authentication, refuses callers who do not hold it now.
 */
export function makePermissionHook(authorize: Authorize) {
  return async function permissionHook(request: FastifyRequest): Promise<void> {
    const required = request.routeOptions.config.permission;
    if (required === undefined) return;
    request.access = await authorize(claimsOf(request), required, requestContext(request));
  };
}

/** What the caller of a permission-guarded route holds; throws if the route declared none. */
export function accessOf(request: FastifyRequest) {
  if (request.access === null) {
    throw new Error(`route ${request.routeOptions.url} used access without declaring a permission`);
  }
  return request.access;
}

/** The administrator calling a permission-guarded route: who, and what they hold now. */
export function actorOf(request: FastifyRequest): AdminActor {
  return { id: claimsOf(request).sub, access: accessOf(request) };
}
