import type { FieldIssue } from "../errors/domain-error.js";

export const USERNAME_MIN = 3;
export const USERNAME_MAX = 50;
const ALLOWED = /^[A-Za-z0-9_.-]+$/;

export function checkUsername(value: string, field = "username"): FieldIssue | undefined {
  if (value.length < USERNAME_MIN || value.length > USERNAME_MAX) {
    return { field, message: `must be ${USERNAME_MIN}-${USERNAME_MAX} characters` };
  }
  if (!ALLOWED.test(value)) {
    return { field, message: "may contain only letters, digits, '_', '.' and '-'" };
  }
  return undefined;
}
