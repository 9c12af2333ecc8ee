import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import { sendError } from "../http/error-handler.js";
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

function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
  return address === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

function sameSecret(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * Who may read the mailbox: a client on this machine (the TCP peer and, behind a trusted proxy,
 * the forwarded client both loopback, so a local proxy does not open it to the network), or
 * anyone presenting DEV_MAILBOX_TOKEN as a bearer token.
 */
function mayReadMailbox(request: FastifyRequest, token: string | undefined): boolean {
  if (isLoopbackAddress(request.socket.remoteAddress) && isLoopbackAddress(request.ip)) return true;
  const header = request.headers.authorization;
  if (token === undefined || typeof header !== "string" || !header.startsWith("Bearer ")) return false;
  return sameSecret(header.slice("Bearer ".length), token);
}

/**
 * Development only (never registered in production): the mail the server would have sent,
 * newest first, so registration and reset can be completed by hand without an SMTP server.
 * Every code and link is in there, so other clients get the 404 of a route that does not exist.
 */
export const devRoutes: RoutesPlugin = async (app, { options }) => {
  const mailbox = options.devMailbox;
  if (mailbox === undefined) return;
  const token = options.devMailboxToken;
  app.get(
    "/dev/mailbox",
    {
      schema: {
        tags: ["dev"],
        summary: "Read the development mailbox (not in production)",
        description:
          "Without SMTP_URL, outgoing mail is kept here (last 100, newest first) instead of being sent. " +
          "Filter by recipient with `?to=`. Not served when NODE_ENV is production; served only to " +
          "loopback clients, or to a client sending DEV_MAILBOX_TOKEN as a bearer token.",
        operationId: "readDevMailbox",
        querystring: Type.Object(
          { to: Type.Optional(Type.String({ maxLength: 255 })) },
          { additionalProperties: false },
        ),
        response: { 200: Envelope(Type.Object({ mails: Type.Array(DevMail) })), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      if (!mayReadMailbox(request, token)) {
        return sendError(request, reply, { code: "NOT_FOUND", message: "No route for GET /dev/mailbox" });
      }
      return ok({ mails: mailbox.list(request.query.to).map(devMailResponse) });
    },
  );
};
