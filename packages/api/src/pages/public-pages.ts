import type { LogInResult } from "@gatehouse/application";
import { DomainError, isDomainError } from "@gatehouse/domain";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppOptions } from "../app-deps.js";
import { requestContext } from "../http/request-context.js";
import { holdUntilFloor, withinFloor } from "../http/response-floor.js";
import { type FirstFactorDone, federatedPages } from "./federated-pages.js";
import { credentialField, formField, queryField } from "./form-fields.js";
import { isNoticeKey } from "./messages.js";
import { allowDataImages, logoOriginOf } from "./page-security.js";
import { type PageCookies, setSessionCookie } from "./page-session-cookie.js";
import { passkeyLoginPages } from "./passkey-login-pages.js";
import { reactivatePages } from "./reactivate-pages.js";
import { jsonRefusal, type PageError, type PageRenderer, refusalOf, renderPage } from "./render.js";

const page = { schema: { hide: true } } as const;
/** Sign-in and the mail-code forms spend the same budget as their API twins. */
const authPost = { schema: { hide: true }, config: { rateLimit: "auth" } } as const;

/**
 * `/login`, `/register`, `/verify-email`, `/forgot-password`, `/reset-password`: each posts to
 * itself and calls the use case its API twin calls, under the same rate limit and floor.
 */
export function publicPages(app: FastifyInstance, options: AppOptions, renderer: PageRenderer, cookies: PageCookies) {
  const { auth, registration, recovery, mfa } = options.useCases;
  const floors = options.responseFloors;
  const { messages } = renderer;
  const logoOrigin = logoOriginOf(renderer.brand.logoUrl);

  /** The cookies of a finished sign-in: the session, and the device token of a password login. */
  const keepSession = (reply: FastifyReply, result: LogInResult) => {
    setSessionCookie(reply, cookies, result.tokens.refreshToken, result.tokens.refreshExpiresIn);
    if (result.device !== undefined) {
      // The device token the API sets for /api/v1 is presented by page logins from here on.
      reply.setCookie("gh_device", result.device.token, {
        path: "/login",
        httpOnly: true,
        sameSite: "strict",
        secure: cookies.secure,
        maxAge: result.device.expiresIn,
      });
    }
  };
  /** A finished sign-in, by password alone or with its second factor: the session cookie, then the account. */
  const signedIn = (reply: FastifyReply, result: LogInResult) => {
    keepSession(reply, result);
    return reply.redirect("/account", 303);
  };

  /**
   * The enrolment MFA_POLICY asks for before a sign-in finishes: a new app secret for the
   * enrolment-only token (again after a wrong code: the secret is never shown twice), its QR
   * code, and a form that confirms the app and signs in.
   */
  const enrolmentPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    mfaToken: string,
    refusal?: { status: number; errors: PageError[] },
  ) => {
    if (mfa === undefined) throw new DomainError("MFA_TOKEN_INVALID");
    const enrolment = await mfa.startRequiredTotpEnrolment(mfaToken, requestContext(request));
    allowDataImages(request, reply, logoOrigin);
    const view = { title: "Set up two-step verification", enrolment, mfaToken, errors: refusal?.errors };
    return renderPage(renderer, request, reply, "mfa-enrol", view, refusal?.status ?? 200);
  };

  /**
   * What follows a first factor, the password's or a provider's: the enrolment MFA_POLICY asks
   * for, the second step, or the session.
   */
  const firstFactorDone: FirstFactorDone = async (request, reply, result) => {
    if ("mfaRequired" in result && result.enrollmentRequired) return enrolmentPage(request, reply, result.mfaToken);
    if ("mfaRequired" in result) {
      // The challenge token goes in the form's body, never the URL; it is single use and bound to this client.
      return renderPage(renderer, request, reply, "mfa", {
        title: "Two-step verification",
        mfaToken: result.mfaToken,
        recoveryCodes: result.factors.includes("recovery_code"),
        passkey: result.factors.includes("webauthn"),
      });
    }
    return signedIn(reply, result);
  };
  federatedPages(app, options, renderer, cookies.secure, firstFactorDone);
  const reactivation = reactivatePages(app, options, renderer);
  passkeyLoginPages(app, options, renderer, { firstFactorDone, reactivation });

  app.get("/login", page, async (request, reply) => {
    const notice = queryField(request, "notice");
    return renderPage(renderer, request, reply, "login", {
      title: "Sign in",
      ...(isNoticeKey(messages, notice) ? { notice } : {}),
    });
  });

  app.post("/login", authPost, async (request, reply) => {
    const email = formField(request, "email");
    try {
      const result = await auth.logIn({ email, password: formField(request, "password") }, requestContext(request));
      return await firstFactorDone(request, reply, result);
    } catch (error) {
      // Said only after the password was proven: the use case's own order.
      const offer = reactivation(request, reply, error, email);
      if (offer !== undefined) return offer;
      const { status, errors } = refusalOf(error, messages);
      return renderPage(renderer, request, reply, "login", { title: "Sign in", errors, values: { email } }, status);
    }
  });

  // The second step of a sign-in: the code of the authenticator app, a recovery code, or the
  // passkey assertion pages.js put in the form. Any answer consumes the challenge, so a wrong
  // code starts again at /login, as in the API.
  app.post("/mfa", authPost, async (request, reply) => {
    const method = formField(request, "method");
    try {
      if (mfa === undefined) throw new DomainError("MFA_TOKEN_INVALID");
      const mfaToken = formField(request, "mfa_token");
      const input =
        method === "webauthn"
          ? ({ mfaToken, method, assertion: credentialField(request, "assertion") } as const)
          : ({
              mfaToken,
              method: method === "recovery_code" ? "recovery_code" : "totp",
              code: formField(request, "code"),
            } as const);
      return signedIn(reply, await mfa.verifyMfaLogin(input, requestContext(request)));
    } catch (error) {
      const { status, errors } = refusalOf(error, messages);
      return renderPage(renderer, request, reply, "login", { title: "Sign in", errors }, status);
    }
  });

  // The enrolment's confirmation: the app's first code finishes the held sign-in. The recovery
  // codes are the answer to this post, shown once, never a page a redirect could reopen.
  app.post("/mfa/enrol", authPost, async (request, reply) => {
    const mfaToken = formField(request, "mfa_token");
    try {
      if (mfa === undefined) throw new DomainError("MFA_TOKEN_INVALID");
      const input = { mfaToken, code: formField(request, "code") };
      const result = await mfa.finishRequiredTotpEnrolment(input, requestContext(request));
      keepSession(reply, result);
      const view = { title: "Two-step verification is on", recoveryCodes: result.recoveryCodes };
      return renderPage(renderer, request, reply, "mfa-enrol", view);
    } catch (error) {
      const refusal = refusalOf(error, messages);
      if (isDomainError(error) && error.code === "MFA_CODE_INVALID") {
        return enrolmentPage(request, reply, mfaToken, refusal);
      }
      return renderPage(
        renderer,
        request,
        reply,
        "login",
        { title: "Sign in", errors: refusal.errors },
        refusal.status,
      );
    }
  });

  // The passkey's options for the held sign-in, fetched by pages.js with the form's CSRF token
  // and mfa_token (never in the URL). JSON, as navigator.credentials.get needs; a refusal
  // answers the catalogue's text for the page to show.
  app.post("/mfa/passkey-options", authPost, async (request, reply) => {
    try {
      if (mfa === undefined) throw new DomainError("MFA_TOKEN_INVALID");
      return await mfa.passkeySecondFactorOptions(formField(request, "mfa_token"), requestContext(request));
    } catch (error) {
      return jsonRefusal(reply, refusalOf(error, messages));
    }
  });

  app.get("/register", page, async (request, reply) =>
    renderPage(renderer, request, reply, "register", { title: "Create an account" }),
  );

  app.post("/register", authPost, async (request, reply) => {
    const values = {
      username: formField(request, "username"),
      email: formField(request, "email"),
      full_name: formField(request, "full_name"),
    };
    try {
      const result = await withinFloor(reply, floors?.registerMs, () =>
        registration.registerUser(
          {
            username: values.username,
            email: values.email,
            password: formField(request, "password"),
            fullName: values.full_name === "" ? null : values.full_name,
            phoneNumber: null,
          },
          requestContext(request),
        ),
      );
      if (result.verificationExpiresAt === null) return reply.redirect("/login?notice=registered_active", 303);
      return renderPage(renderer, request, reply, "verify-email", {
        title: "Verify your email address",
        notice: "registered_verify",
        values: { email: values.email },
      });
    } catch (error) {
      const { status, errors } = refusalOf(error, messages);
      return renderPage(renderer, request, reply, "register", { title: "Create an account", errors, values }, status);
    }
  });

  // The mailed link lands here with `?token=`: the page only shows a button posting it, so a
  // mail scanner fetching the link verifies nothing, and the token leaves the URL on the post.
  app.get("/verify-email", page, async (request, reply) =>
    renderPage(renderer, request, reply, "verify-email", {
      title: "Verify your email address",
      token: queryField(request, "token"),
    }),
  );

  app.post("/verify-email", authPost, async (request, reply) => {
    const token = formField(request, "token");
    const email = formField(request, "email");
    const input = token !== "" ? { token } : { email, code: formField(request, "code").trim() };
    try {
      const user = await withinFloor(reply, floors?.mailRequestsMs, () =>
        registration.verifyEmail(input, requestContext(request)),
      );
      const notice = user.status === "active" ? "verified_active" : "verified_pending_approval";
      return reply.redirect(`/login?notice=${notice}`, 303);
    } catch (error) {
      const { status, errors } = refusalOf(error, messages);
      const view = { title: "Verify your email address", errors, values: { email } };
      return renderPage(renderer, request, reply, "verify-email", view, status);
    }
  });

  app.get("/forgot-password", page, async (request, reply) =>
    renderPage(renderer, request, reply, "forgot-password", { title: "Reset your password" }),
  );

  app.post("/forgot-password", authPost, async (request, reply) => {
    const email = formField(request, "email");
    try {
      await recovery.requestPasswordReset(email, requestContext(request));
      await holdUntilFloor(reply, floors?.mailRequestsMs);
    } catch (error) {
      const { status, errors } = refusalOf(error, messages);
      const view = { title: "Reset your password", errors, values: { email } };
      return renderPage(renderer, request, reply, "forgot-password", view, status);
    }
    // The same answer whether or not the address has an account.
    return renderPage(renderer, request, reply, "reset-password", {
      title: "Choose a new password",
      notice: "reset_requested",
      token: "",
      values: { email },
    });
  });

  app.get("/reset-password", page, async (request, reply) =>
    renderPage(renderer, request, reply, "reset-password", {
      title: "Choose a new password",
      token: queryField(request, "token"),
    }),
  );

  app.post("/reset-password", authPost, async (request, reply) => {
    const token = formField(request, "token");
    const email = formField(request, "email");
    const newPassword = formField(request, "new_password");
    const input =
      token !== "" ? { token, newPassword } : { email, code: formField(request, "code").trim(), newPassword };
    try {
      await withinFloor(reply, floors?.mailRequestsMs, () => recovery.resetPassword(input, requestContext(request)));
      return reply.redirect("/login?notice=password_reset", 303);
    } catch (error) {
      const { status, errors } = refusalOf(error, messages);
      const view = { title: "Choose a new password", errors, token, values: { email } };
      return renderPage(renderer, request, reply, "reset-password", view, status);
    }
  });
}
