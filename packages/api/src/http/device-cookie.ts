import type { IssuedDeviceToken } from "@gatehouse/application";
import { DEVICE_TOKEN_COOKIE } from "@gatehouse/domain";
import type { FastifyRequest } from "fastify";

/**
 * The `Set-Cookie` value carrying a new device token to a browser: HttpOnly (no script reads
 * it), SameSite=Strict (no other site's page sends it), Secure when the request came over TLS
 * (directly or through a trusted proxy), scoped to the API, living as long as the token.
 */
export function deviceCookie(request: FastifyRequest, device: IssuedDeviceToken): string {
  const attributes = [
    `${DEVICE_TOKEN_COOKIE}=${device.token}`,
    "Path=/api/v1",
    `Max-Age=${device.expiresIn}`,
    "HttpOnly",
    "SameSite=Strict",
  ];
  if (request.protocol === "https") attributes.push("Secure");
  return attributes.join("; ");
}
