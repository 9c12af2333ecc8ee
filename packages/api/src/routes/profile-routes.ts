import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { ApiUseCases } from "../app-deps.js";
import { claimsOf } from "../http/auth-hook.js";
import { requestContext } from "../http/request-context.js";
import { Envelope, errorResponses, ok } from "../schemas/envelope.js";
import { ConfirmEmailBody, CurrentUser, UpdatedProfile, UpdateProfileBody } from "../schemas/user-schemas.js";
import { currentUserResponse } from "./user-response.js";

const tags = ["users"];
const bearer = [{ bearerAuth: [] }];

/** The signed-in user's own profile and email change (issue 5 §4). */
export const profileRoutes: FastifyPluginAsyncTypebox<{ useCases: ApiUseCases }> = async (app, { useCases }) => {
  app.put(
    "/api/v1/users/me",
    {
      config: { auth: true },
      schema: {
        tags,
        summary: "Update the signed-in user's profile",
        description:
          "full_name, phone_number, username (409 DUPLICATE_USERNAME when taken). A new `email` needs " +
          "`current_password` (401 INVALID_CREDENTIALS when wrong); the new address gets a code and becomes the " +
          "login email once confirmed at POST /api/v1/users/me/email/verify; the old address is notified. " +
          "Unknown fields: 400.",
        operationId: "updateMe",
        security: bearer,
        body: UpdateProfileBody,
        response: { 200: Envelope(UpdatedProfile), ...errorResponses(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request) => {
      const body = request.body;
      const update = await useCases.updateProfile(
        claimsOf(request).sub,
        {
          ...(body.username === undefined ? {} : { username: body.username }),
          ...(body.full_name === undefined ? {} : { fullName: body.full_name }),
          ...(body.phone_number === undefined ? {} : { phoneNumber: body.phone_number }),
          ...(body.email === undefined ? {} : { email: body.email }),
          ...(body.current_password === undefined ? {} : { currentPassword: body.current_password }),
        },
        requestContext(request),
      );
      return ok(
        { ...currentUserResponse(update.account.user, update.account.roles), pending_email: update.pendingEmail },
        update.pendingEmail === null
          ? "Profile updated"
          : "Profile updated: enter the code sent to the new address to finish the email change",
      );
    },
  );

  app.post(
    "/api/v1/users/me/email/verify",
    {
      config: { auth: true },
      schema: {
        tags,
        summary: "Confirm an email change",
        description:
          "`{ code }` or `{ token }` from the mail sent to the new address; that address becomes the login email. " +
          "Wrong code: 400 INVALID_VERIFICATION_CODE (burned after 5); expired: 410 VERIFICATION_EXPIRED.",
        operationId: "confirmEmailChange",
        security: bearer,
        body: ConfirmEmailBody,
        response: { 200: Envelope(CurrentUser), ...errorResponses(400, 401, 403, 409, 410, 413, 415) },
      },
    },
    async (request) => {
      const account = await useCases.confirmEmailChange(claimsOf(request).sub, request.body, requestContext(request));
      return ok(currentUserResponse(account.user, account.roles), "Email address changed");
    },
  );
};
