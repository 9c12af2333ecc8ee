import { Type } from "typebox";
import { Envelope, errorResponses, ok } from "../schemas/envelope.js";
import { devMailResponse } from "./responses.js";
import type { RoutesPlugin } from "./routes-plugin.js";

const DevMail = Type.Object({
  to: Type.String(),
  template: Type.String(),
  subject: Type.String(),
  text: Type.String(),
  html: Type.String(),
  delivered_at: Type.String({ format: "date-time" }),
});

/**
 * Development only (never registered in production): the mail the server would have sent,
 * newest first, so registration and reset can be completed by hand without an SMTP server.
 */
export const devRoutes: RoutesPlugin = async (app, { options }) => {
  const mailbox = options.devMailbox;
  if (mailbox === undefined) return;
  app.get(
    "/dev/mailbox",
    {
      schema: {
        tags: ["dev"],
        summary: "Read the development mailbox (not in production)",
        description:
          "Without SMTP_URL, outgoing mail is kept here (last 100, newest first) instead of being sent. " +
          "Filter by recipient with `?to=`. Not served when NODE_ENV is production.",
        operationId: "readDevMailbox",
        querystring: Type.Object(
          { to: Type.Optional(Type.String({ maxLength: 255 })) },
          { additionalProperties: false },
        ),
        response: { 200: Envelope(Type.Object({ mails: Type.Array(DevMail) })), ...errorResponses(400) },
      },
    },
    async (request) => ok({ mails: mailbox.list(request.query.to).map(devMailResponse) }),
  );
};
