import type { WebAuthnOptionsJson, WebAuthnRelyingParty, WebAuthnResponseJson } from "@gatehouse/domain";
import type {
  AuthenticationResponseJSON,
  WebAuthnCredential as LibraryCredential,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { decodeClientDataJSON, isoBase64URL } from "@simplewebauthn/server/helpers";

/** WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME and WEBAUTHN_ORIGINS: who the relying party is, from configuration only. */
export interface WebAuthnSettings {
  readonly rpId: string;
  readonly rpName: string;
  readonly origins: readonly string[];
}

/** How long the browser offers the ceremony (ms); the stored challenge lives longer (5 min). */
const CEREMONY_TIMEOUT_MS = 120_000;

/** The credential id and user handle the browser sends are base64url of these bytes. */
export function userHandleOf(userId: string): string {
  return isoBase64URL.fromUTF8String(userId);
}

type Transports = NonNullable<LibraryCredential["transports"]>;

/**
 * The relying party on `@simplewebauthn/server`: registration with residentKey and
 * userVerification preferred, `none` attestation (Gatehouse trusts no attestation roots, so
 * asking for more would only leak less privacy for nothing), ES256/EdDSA/RS256. A response the
 * library refuses (it throws for a bad origin, RP id, challenge, signature or counter) is
 * undefined here: the use case turns it into its own error code.
 */
export function makeWebAuthnRelyingParty(settings: WebAuthnSettings): WebAuthnRelyingParty {
  const expected = { expectedOrigin: [...settings.origins], expectedRPID: settings.rpId };
  return {
    async registrationOptions({ userId, userName, exclude }) {
      const options = await generateRegistrationOptions({
        rpName: settings.rpName,
        rpID: settings.rpId,
        userName,
        userID: isoBase64URL.toBuffer(userHandleOf(userId)),
        attestationType: "none",
        timeout: CEREMONY_TIMEOUT_MS,
        excludeCredentials: exclude.map((c) => ({ id: c.credentialId, transports: [...c.transports] as Transports })),
        authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
      });
      return options as unknown as WebAuthnOptionsJson;
    },

    async verifyRegistration(response, expectedChallenge) {
      try {
        const result = await verifyRegistrationResponse({
          response: response as unknown as RegistrationResponseJSON,
          expectedChallenge,
          ...expected,
          requireUserVerification: false,
        });
        if (!result.verified) return undefined;
        const info = result.registrationInfo;
        return {
          credentialId: info.credential.id,
          publicKey: isoBase64URL.fromBuffer(info.credential.publicKey),
          counter: info.credential.counter,
          transports: info.credential.transports ?? [],
          backupEligible: info.credentialDeviceType === "multiDevice",
          backupState: info.credentialBackedUp,
          aaguid: info.aaguid,
          userVerified: info.userVerified,
        };
      } catch {
        return undefined;
      }
    },

    async authenticationOptions({ allow, userVerification }) {
      const options = await generateAuthenticationOptions({
        rpID: settings.rpId,
        timeout: CEREMONY_TIMEOUT_MS,
        userVerification,
        allowCredentials: allow.map((c) => ({ id: c.credentialId, transports: [...c.transports] as Transports })),
      });
      return options as unknown as WebAuthnOptionsJson;
    },

    async verifyAssertion({ response, expectedChallenge, credential, requireUserVerification }) {
      try {
        const result = await verifyAuthenticationResponse({
          response: response as unknown as AuthenticationResponseJSON,
          expectedChallenge,
          ...expected,
          requireUserVerification,
          credential: {
            id: credential.credentialId,
            publicKey: isoBase64URL.toBuffer(credential.publicKey),
            counter: credential.counter,
            transports: [...credential.transports] as Transports,
          },
        });
        if (!result.verified) return undefined;
        const info = result.authenticationInfo;
        return { counter: info.newCounter, backupState: info.credentialBackedUp, userVerified: info.userVerified };
      } catch {
        return undefined;
      }
    },

    challengeOf(response: WebAuthnResponseJson) {
      const clientData = response.response.clientDataJSON;
      if (typeof clientData !== "string") return undefined;
      try {
        const { challenge } = decodeClientDataJSON(clientData);
        return typeof challenge === "string" && challenge.length > 0 ? challenge : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
