import { SENSITIVE, STEP_UP_MAX_AGE_SECONDS } from "../http/assurance-hook.js";
import { claimsOf } from "../http/auth-hook.js";
import { definedFields } from "../http/defined-fields.js";
import { requestContext } from "../http/request-context.js";
import { withinFloor } from "../http/response-floor.js";
import {
  ChangePasswordBody,
  ChangePasswordData,
  PasswordConfirmationBody,
  SessionsEnded,
} from "../schemas/account-schemas.js";
import { Envelope, errorResponses, ok } from "../schemas/envelope.js";
import { ConfirmEmailBody, CurrentUser, UpdatedProfile, UpdateProfileBody } from "../schemas/user-schemas.js";
import { currentUserHandler } from "./auth/me.js";
import { currentUserResponse } from "./responses.js";
import { bearer, type RoutesPlugin } from "./routes-plugin.js";

const tags = ["users"];

/**
 * /api/v1/users/me and everything under it: the signed-in user acting on their own account
 * (profile, email change, password, deactivation, deletion).
 */
export const meRoutes: RoutesPlugin = async (app, { options }) => {
  const { account, mfa } = options.useCases;

  app.get(
    "/api/v1/users/me",
    {
      config: { auth: true },
      schema: {
        tags,
        summary: "The signed-in user's profile",
        description: "The same data as GET /api/v1/auth/me.",
        operationId: "getMyProfile",
        security: bearer,
        response: { 200: Envelope(CurrentUser), ...errorResponses(401, 403) },
      },
    },
    currentUserHandler(account),
  );

  app.put(
    "/api/v1/users/me",
    {
      config: { auth: true },
      schema: {
        tags,
        summary: "Update the signed-in user's profile",
        description:
          "full_name, phone_number, username (409 DUPLICATE_USERNAME when taken). A new `email` needs " +
          "`current_password` (401 INVALID_CREDENTIALS when wrong) and, when a second factor guards the account, a " +
          "token at acr aal2 proven within 300 s (401 INSUFFICIENT_USER_AUTHENTICATION, RFC 9470); the new address gets a code and becomes the " +
          "login email once confirmed at POST /api/v1/users/me/email/verify; the old address is notified. " +
          "Unknown fields: 400.",
        operationId: "updateMe",
        security: bearer,
        body: UpdateProfileBody,
        response: { 200: Envelope(UpdatedProfile), ...errorResponses(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      // Only an email change is sensitive (it moves the account's recovery address), not a profile edit.
      if (body.email !== undefined) {
        await mfa?.requireAssurance(claimsOf(request), { maxAgeSeconds: STEP_UP_MAX_AGE_SECONDS });
      }
      // An email change sends a code only for a free address: the floor hides which it was.
      const floor = body.email === undefined ? undefined : options.responseFloors?.mailRequestsMs;
      const update = await withinFloor(reply, floor, () =>
        account.updateProfile(
          claimsOf(request).sub,
          definedFields({
            username: body.username,
            fullName: body.full_name,
            phoneNumber: body.phone_number,
            email: body.email,
            currentPassword: body.current_password,
          }),
          requestContext(request),
        ),
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
      const changed = await account.confirmEmailChange(claimsOf(request).sub, request.body, requestContext(request));
      return ok(currentUserResponse(changed.user, changed.roles), "Email address changed");
    },
  );

  app.patch(
    "/api/v1/users/me/password",
    {
      config: { auth: true, ...SENSITIVE },
      schema: {
        tags,
        summary: "Change the password",
        description:
          "Needs the current password (401 INVALID_CREDENTIALS when wrong); the new one must meet the policy and " +
          "differ from it. Other sessions end unless `sign_out_other_sessions` is false; this one stays. " +
          "A 'password changed' email is sent.",
        operationId: "changeMyPassword",
        security: bearer,
        body: ChangePasswordBody,
        response: { 200: Envelope(ChangePasswordData), ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request) => {
      const claims = claimsOf(request);
      const { current_password, new_password, sign_out_other_sessions } = request.body;
      const result = await account.changePassword(
        {
          userId: claims.sub,
          sessionId: claims.sid,
          currentPassword: current_password,
          newPassword: new_password,
          signOutOtherSessions: sign_out_other_sessions !== false,
        },
        requestContext(request),
      );
      return ok({ other_sessions_ended: result.otherSessionsEnded }, "Password changed");
    },
  );

  // Deactivation and deletion: both confirm the password and answer how many sessions ended.
  const passwordConfirmed = [
    {
      method: "POST",
      url: "/api/v1/users/me/deactivate",
      summary: "Deactivate the account",
      description:
        "Needs the password. The account becomes `deactivated` and every session ends; " +
        "POST /api/v1/auth/reactivate brings it back.",
      operationId: "deactivateMyAccount",
      errors: [400, 401, 403, 409, 413, 415],
      run: account.deactivateAccount,
      message: "Account deactivated",
    },
    {
      method: "DELETE",
      url: "/api/v1/users/me",
      summary: "Delete the account",
      description:
        "Needs the password. Soft delete: every session ends, the email and username become free, and an " +
        "administrator can restore the account until the worker purges it (USER_PURGE_AFTER_DAYS).",
      operationId: "deleteMyAccount",
      errors: [400, 401, 403, 413, 415],
      run: account.deleteAccount,
      message: "Account deleted",
    },
  ] as const;
  for (const route of passwordConfirmed) {
    app.route({
      method: route.method,
      url: route.url,
      config: route.method === "DELETE" ? { auth: true, ...SENSITIVE } : { auth: true },
      schema: {
        tags,
        summary: route.summary,
        description: route.description,
        operationId: route.operationId,
        security: bearer,
        body: PasswordConfirmationBody,
        response: { 200: Envelope(SessionsEnded), ...errorResponses(...route.errors) },
      },
      handler: async (request) => {
        const result = await route.run(
          { userId: claimsOf(request).sub, password: request.body.password },
          requestContext(request),
        );
        return ok({ sessions_ended: result.sessionsEnded }, route.message);
      },
    });
  }
};
