import { DomainError, type WebAuthnResponseJson } from "@gatehouse/domain";
import type { FastifyRequest } from "fastify";
import { Check } from "typebox/value";
import { WebAuthnCredentialJson } from "../schemas/mfa-schemas.js";

/** One field of a posted form: a string, "" when absent (a repeated field keeps its first value). */
export function formField(request: FastifyRequest, name: string): string {
  const body = request.body as Record<string, unknown> | null | undefined;
  const value = body?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "string" ? first : "";
}

/** A query parameter as a string, "" when absent. */
export function queryField(request: FastifyRequest, name: string): string {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === "string" ? value : "";
}

/**
 * A passkey ceremony's result that pages.js put in a hidden field as JSON: bounded by the same
 * schema the API's bodies use (the WebAuthn verification checks the inside), VALIDATION_ERROR
 * for anything else.
 */
export function credentialField(request: FastifyRequest, name: string): WebAuthnResponseJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(formField(request, name));
  } catch {
    parsed = undefined;
  }
  if (!Check(WebAuthnCredentialJson, parsed)) {
    throw new DomainError("VALIDATION_ERROR", undefined, [{ field: name, message: "answer could not be read" }]);
  }
  return parsed;
}
