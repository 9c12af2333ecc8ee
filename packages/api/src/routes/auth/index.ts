import type { RoutesPlugin } from "../routes-plugin.js";
import { authMeRoutes } from "./me.js";
import { mfaLoginRoutes } from "./mfa.js";
import { mfaEnrolmentRoutes } from "./mfa-enrolment.js";
import { oauthRoutes } from "./oauth.js";
import { passkeyLoginRoutes } from "./passkey.js";
import { passwordResetRoutes } from "./password-reset.js";
import { reactivateRoutes } from "./reactivate.js";
import { sessionRoutes } from "./sessions.js";
import { tokenRoutes } from "./tokens.js";

/**
 * Everything under /api/v1/auth except registration (routes/register.ts serves its alias):
 * tokens, the current user, sessions, reactivation, password reset, the MFA login step (and
 * the enrolment a policy requires) and passwordless passkey sign-in.
 */
export const authRoutes: RoutesPlugin = async (app, { options }) => {
  await app.register(tokenRoutes, { options });
  await app.register(authMeRoutes, { options });
  await app.register(sessionRoutes, { options });
  await app.register(reactivateRoutes, { options });
  await app.register(passwordResetRoutes, { options });
  await app.register(oauthRoutes, { options });
  await app.register(mfaLoginRoutes, { options });
  await app.register(mfaEnrolmentRoutes, { options });
  await app.register(passkeyLoginRoutes, { options });
};
