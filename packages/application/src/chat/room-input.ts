import { checkRoomName, type FieldIssue, ROOM_DESCRIPTION_MAX, validationError } from "@gatehouse/domain";

/** Checks a room's name and description; throws one VALIDATION_ERROR listing every problem. */
export function assertRoomFields(fields: {
  readonly name?: string | undefined;
  readonly description?: string | null | undefined;
  readonly extra?: FieldIssue | undefined;
}): void {
  const issues: FieldIssue[] = [];
  if (fields.extra) issues.push(fields.extra);
  if (fields.name !== undefined) {
    const issue = checkRoomName(fields.name);
    if (issue) issues.push(issue);
  }
  if (typeof fields.description === "string" && fields.description.length > ROOM_DESCRIPTION_MAX) {
    issues.push({ field: "description", message: `must be at most ${ROOM_DESCRIPTION_MAX} characters` });
  }
  if (issues.length > 0) throw validationError(issues);
}
