/** Every audited action; a feature adds its own here. */
export type AuditAction =
  | "auth.register"
  | "auth.login"
  | "auth.login_failed"
  | "auth.logout"
  | "auth.refresh"
  | "auth.refresh_reuse_detected"
  | "access.denied"
  | "user.create"
  | "user.update"
  | "user.delete"
  | "user.restore"
  | "user.deactivate"
  | "user.approve"
  | "user.suspend"
  | "user.reactivate"
  | "user.permanent_delete"
  | "user.password_set"
  | "user.sessions_revoke"
  | "role.create"
  | "role.update"
  | "role.delete"
  | "role.assign"
  | "role.unassign"
  | "permission.create"
  | "permission.assign"
  | "permission.unassign"
  | "auth.session_revoked"
  | "user.password_changed"
  | "user.purged"
  | "auth.register_existing_email"
  | "auth.email_verified"
  | "auth.verification_failed"
  | "auth.verification_resent"
  | "auth.password_reset_requested"
  | "auth.password_reset"
  | "auth.password_reset_failed"
  | "user.profile_updated"
  | "user.email_change_requested"
  | "user.email_changed"
  | "user.registration_expired"
  | "chat.room_create"
  | "chat.room_update"
  | "chat.room_delete"
  | "chat.member_add"
  | "chat.member_remove"
  | "auth.oauth_login"
  | "auth.oauth_failed"
  | "auth.identity_link"
  | "auth.identity_unlink"
  | "auth.device_revoked"
  | "auth.lockout_notice"
  | "password.rehashed"
  | "user.import"
  | "user.provisioned"
  | "keycloak.sync_failed"
  | "keycloak.session_logged_out"
  | "keycloak.account_requeued"
  | "keycloak.orphan_removed"
  | "mfa.enroll"
  | "mfa.verify"
  | "mfa.step_up"
  | "mfa.verify_failed"
  | "mfa.remove"
  | "mfa.reset_by_admin"
  | "mfa.recovery_code_used"
  | "mfa.recovery_codes_regenerated";

/** Filters and page of the audit-log list; newest first. */
export interface AuditLogQuery {
  readonly page: number;
  readonly perPage: number;
  readonly userId?: string;
  readonly action?: string;
  readonly resourceType?: string;
  readonly resourceId?: string;
  readonly status?: "success" | "failure";
  readonly from?: Date;
  readonly to?: Date;
}

/** A stored audit entry with its id and the actor's username (null when anonymous or purged). */
export interface AuditRecord extends AuditEntry {
  readonly id: string;
  readonly username: string | null;
}

/** Who asked, from where: copied into every audit entry. */
export interface RequestContext {
  readonly requestId: string;
  readonly ipAddress: string | null;
  readonly userAgent: string | null;
  /** When the request started, so the entry can record its duration. */
  readonly startedAt: Date;
  /**
   * The device token the client presented (cookie or header), if any: a secret, so it is
   * never copied into audit entries or logs; only the credential check looks at it.
   */
  readonly deviceToken?: string | null;
}

/** One audit row. Never holds a password or a token. */
export interface AuditEntry {
  readonly action: AuditAction;
  readonly userId: string | null;
  readonly resourceType: string;
  readonly resourceId: string | null;
  readonly status: "success" | "failure";
  readonly details: Readonly<Record<string, unknown>> | null;
  readonly ipAddress: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
  readonly durationMs: number | null;
  readonly timestamp: Date;
}
