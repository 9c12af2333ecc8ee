/**
 * A device token: proof that a client already signed in to one account with the right password
 * (the OWASP "device cookie"). Failed password checks presented with a live device token count
 * in that device's own budget, so attackers elsewhere cannot spend it and lock the owner out.
 * Only the token's hash is stored; each successful login replaces the token it presented.
 */
export interface DeviceToken {
  readonly id: string;
  readonly userId: string;
  readonly tokenHash: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
  readonly userAgent: string | null;
  readonly ipAddress: string | null;
}

export interface NewDeviceToken {
  readonly userId: string;
  readonly tokenHash: string;
  readonly expiresAt: Date;
  readonly userAgent: string | null;
  readonly ipAddress: string | null;
}

/** The cookie browsers carry the device token in (HttpOnly, SameSite=Strict). */
export const DEVICE_TOKEN_COOKIE = "gh_device";
/** The header API clients send the login response's `device_token` back in. */
export const DEVICE_TOKEN_HEADER = "x-device-token";
