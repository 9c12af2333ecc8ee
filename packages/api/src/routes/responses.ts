import type {
  FactorView,
  IssuedDeviceToken,
  ListAuditLogs,
  ListDevices,
  ListSessions,
  MfaChallengeResult,
  SessionTokens,
  TotpEnrolment,
  UserProfile,
  UserRoles,
} from "@gatehouse/application";
import type { FederatedIdentity, Permission, RoleDetails, RoleGrant, User } from "@gatehouse/domain";
import { isActive } from "@gatehouse/domain";
import type { DevMailView } from "../app-deps.js";

/**
 * Every entity → response mapping of the API, in one place (the one mapping after the
 * repository's row → entity one). Routes never build a response field by hand.
 */

export function registeredUserResponse(
  user: Pick<UserProfile, "id" | "username" | "email" | "fullName" | "phoneNumber" | "status" | "createdAt">,
) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    full_name: user.fullName,
    phone_number: user.phoneNumber,
    status: user.status,
    created_at: user.createdAt.toISOString(),
  };
}

/** The signed-in user: the shared fields plus state, roles and their permissions. */
export function currentUserResponse(user: UserProfile, roles: readonly RoleGrant[]) {
  return {
    ...registeredUserResponse(user),
    is_active: isActive(user),
    email_verified_at: user.emailVerifiedAt?.toISOString() ?? null,
    roles: roles.map((role) => ({ id: role.id, name: role.name, permissions: [...role.permissions] })),
    updated_at: user.updatedAt.toISOString(),
  };
}

/** A user as administrators see it: every field but the password hash. */
export function adminUserResponse(user: User, roleNames: readonly string[]) {
  return {
    ...registeredUserResponse(user),
    organization: user.organization,
    department: user.department,
    status_reason: user.statusReason,
    status_changed_at: user.statusChangedAt.toISOString(),
    roles: [...roleNames],
    is_active: isActive(user),
    is_deleted: user.deletedAt !== null,
    deleted_at: user.deletedAt?.toISOString() ?? null,
    deleted_by: user.deletedBy,
    email_verified_at: user.emailVerifiedAt?.toISOString() ?? null,
    keycloak_id: user.keycloakId,
    keycloak_sync_status: user.keycloakSyncStatus,
    updated_at: user.updatedAt.toISOString(),
  };
}

/** An administrator's view of a user with the names of its roles, sorted. */
export function adminAccountResponse(account: { user: User; roles: readonly RoleGrant[] }) {
  return adminUserResponse(account.user, account.roles.map((role) => role.name).sort());
}

/** A linked provider account, for its owner and for administrators. */
export function identityResponse(identity: FederatedIdentity) {
  return {
    id: identity.id,
    provider: identity.provider,
    subject: identity.subject,
    email: identity.email,
    linked_at: identity.createdAt.toISOString(),
    last_used_at: identity.lastLoginAt?.toISOString() ?? null,
  };
}

/** The pagination block of every list. */
export function paginationOf(page: number, perPage: number, totalItems: number) {
  return { page, per_page: perPage, total_items: totalItems, total_pages: Math.ceil(totalItems / perPage) };
}

export function tokenResponse(tokens: SessionTokens) {
  return {
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    token_type: tokens.tokenType,
    expires_in: tokens.expiresIn,
    refresh_expires_in: tokens.refreshExpiresIn,
  };
}

/** A new session: the token pair and who it belongs to (password login and social login alike). */
export function loginResponse(result: {
  readonly tokens: SessionTokens;
  readonly device?: IssuedDeviceToken;
  readonly user: Pick<User, "id" | "username" | "email">;
  readonly roles: readonly RoleGrant[];
}) {
  const device = result.device;
  return {
    ...tokenResponse(result.tokens),
    ...(device === undefined
      ? {}
      : {
          device_token: device.token,
          device_token_expires_in: device.expiresIn,
        }),
    user: {
      id: result.user.id,
      username: result.user.username,
      email: result.user.email,
      roles: result.roles.map((role) => role.name),
    },
  };
}

/** The MFA gate's answer to a proven first factor: no tokens, a challenge to complete. */
export function mfaChallengeResponse(challenge: MfaChallengeResult) {
  return {
    mfa_required: true as const,
    mfa_enrollment_required: challenge.enrollmentRequired,
    mfa_token: challenge.mfaToken,
    expires_in: challenge.expiresIn,
    factors: [...challenge.factors],
  };
}

/** A sign-in's answer: the session, or the MFA challenge standing in front of it. */
export function signInResponse(result: Parameters<typeof loginResponse>[0] | MfaChallengeResult) {
  return "mfaRequired" in result ? mfaChallengeResponse(result) : loginResponse(result);
}

/** A started app enrolment: the secret three ways (base32, URI, QR code), shown this once. */
export function totpEnrolmentResponse(enrolment: TotpEnrolment) {
  return {
    factor_id: enrolment.factorId,
    secret: enrolment.secret,
    otpauth_uri: enrolment.otpauthUri,
    qr_code: enrolment.qrCode,
  };
}

export function mfaFactorResponse(factor: FactorView) {
  return {
    id: factor.id,
    type: factor.type,
    created_at: factor.createdAt.toISOString(),
    confirmed_at: (factor.confirmedAt ?? factor.createdAt).toISOString(),
    last_used_at: factor.lastUsedAt?.toISOString() ?? null,
    remaining_codes: factor.remainingCodes,
  };
}

export function deviceResponse(device: Awaited<ReturnType<ListDevices>>[number]) {
  return {
    id: device.id,
    created_at: device.createdAt.toISOString(),
    expires_at: device.expiresAt.toISOString(),
    user_agent: device.userAgent,
    ip_address: device.ipAddress,
  };
}

export function sessionResponse(session: Awaited<ReturnType<ListSessions>>[number]) {
  return {
    id: session.id,
    created_at: session.createdAt.toISOString(),
    last_used_at: session.lastUsedAt.toISOString(),
    user_agent: session.userAgent,
    ip_address: session.ipAddress,
    current: session.current,
  };
}

export function auditEntryResponse(entry: Awaited<ReturnType<ListAuditLogs>>["items"][number]) {
  return {
    id: entry.id,
    timestamp: entry.timestamp.toISOString(),
    user_id: entry.userId,
    username: entry.username,
    action: entry.action,
    resource_type: entry.resourceType,
    resource_id: entry.resourceId,
    ip_address: entry.ipAddress,
    user_agent: entry.userAgent,
    request_id: entry.requestId,
    status: entry.status,
    details: entry.details === null ? null : { ...entry.details },
    duration_ms: entry.durationMs,
  };
}

export function roleResponse(role: RoleDetails) {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    is_system: role.isSystem,
    permissions: role.permissions.map(({ id, name }) => ({ id, name })),
    user_count: role.userCount,
    created_at: role.createdAt.toISOString(),
    updated_at: role.updatedAt.toISOString(),
  };
}

export function permissionResponse(permission: Permission) {
  return {
    id: permission.id,
    name: permission.name,
    description: permission.description,
    created_at: permission.createdAt.toISOString(),
    updated_at: permission.updatedAt.toISOString(),
  };
}

export function userRolesResponse(result: UserRoles) {
  return {
    user_id: result.userId,
    roles: result.roles.map((role) => ({ id: role.id, name: role.name, permissions: [...role.permissions] })),
  };
}

export function devMailResponse(mail: DevMailView) {
  return {
    to: mail.to,
    template: mail.template,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    delivered_at: mail.deliveredAt.toISOString(),
  };
}
