import { Type } from "typebox";
import { actorOf } from "../../http/permission-hook.js";
import { requestContext } from "../../http/request-context.js";
import { Envelope, errorResponses, ok } from "../../schemas/envelope.js";
import { type RoutesPlugin, bearer as security } from "../routes-plugin.js";

const ImportReport = Type.Object({
  created: Type.Integer({ description: "Users written (with dry_run=true: that would be)" }),
  skipped: Type.Integer({ description: "Lines whose email a live user already holds: left untouched" }),
  failed: Type.Array(
    Type.Object({
      line: Type.Integer({ description: "1-based line number in the body" }),
      code: Type.String({ description: "Code from the error catalogue, e.g. VALIDATION_ERROR, DUPLICATE_USERNAME" }),
      message: Type.String(),
    }),
  ),
});

const ImportQuerystring = Type.Object(
  { dry_run: Type.Optional(Type.Union([Type.Literal("true"), Type.Literal("false")])) },
  { additionalProperties: false },
);

/** Room for the line limit of one import (10 000 lines) at a few hundred bytes each. */
const IMPORT_BODY_LIMIT = 8 * 1024 * 1024;

/**
 * POST /api/v1/admin/users/import: JSON lines in, a report out. The body is text, not a JSON
 * document, so this plugin (and only it) reads text/plain and application/x-ndjson as strings.
 */
export const userImportRoutes: RoutesPlugin = async (app, { options }) => {
  const { admin } = options.useCases;
  app.addContentTypeParser(
    ["text/plain", "application/x-ndjson"],
    { parseAs: "string", bodyLimit: IMPORT_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );

  app.post(
    "/api/v1/admin/users/import",
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      config: { permission: "users:import" },
      schema: {
        tags: ["admin: users"],
        security,
        operationId: "adminImportUsers",
        summary: "Import users with their password hashes",
        description:
          "Body: JSON lines (`text/plain` or `application/x-ndjson`), at most 10 000, one object each: `email`, " +
          "`username?` (default: the email's local part), `full_name?`, `phone_number?`, `organization?`, " +
          '`department?`, `password_hash?`, `email_verified?`, `roles?` (default `["user"]`), `status?` ' +
          "(`active`, `pending_verification`, `pending_approval`). `password_hash` may be argon2id/argon2i " +
          "(PHC), bcrypt (`$2a$`/`$2b$`/`$2y$`), scrypt (`$scrypt$ln=<N>,r=,p=$salt$hash`), PBKDF2 " +
          "(`$pbkdf2-sha256$`/`$pbkdf2-sha512$`, passlib or `i=,l=` form) or Firebase scrypt (`$firescrypt$`); " +
          "without it the account cannot sign in until its owner resets the password. Idempotent by email: " +
          "an existing email is skipped, never updated. Each line is its own transaction and audit row " +
          "(`user.import`); a bad line is reported in `failed` and does not stop the others. A proven " +
          "imported password is re-hashed with argon2id at its first sign-in (`password.rehashed`).",
        querystring: ImportQuerystring,
        body: Type.String({ description: "JSON lines" }),
        response: { 200: Envelope(ImportReport), ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request) => {
      const report = await admin.importUsers(actorOf(request), request.body, requestContext(request), {
        dryRun: request.query.dry_run === "true",
      });
      return ok({ ...report, failed: [...report.failed] });
    },
  );
};
