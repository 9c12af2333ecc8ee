import type { DeviceToken, NewDeviceToken } from "../token/device-token.js";

/** Persistence of device tokens (see {@link DeviceToken}); rows hold hashes, never tokens. */
export interface DeviceTokenRepository {
  /** The token stored under `tokenHash` when it is neither revoked nor expired at `now`. */
  findLive(tokenHash: string, now: Date): Promise<DeviceToken | undefined>;
  /**
   * Stores `token`. With `replacesId` (the device token the login presented) that token is
   * revoked in the same step, provided it belongs to the same user: rotation on every login.
   */
  issue(token: NewDeviceToken, now: Date, replacesId?: string): Promise<DeviceToken>;
  /** Revokes one live token of `userId`; false when there is none with that id. */
  revoke(userId: string, id: string, now: Date): Promise<boolean>;
  /** Revokes every live token of the user (sign out everywhere, password change or reset). */
  revokeAllForUser(userId: string, now: Date): Promise<number>;
  /** The user's live tokens at `now`, newest first: the devices listed with the sessions. */
  listLive(userId: string, now: Date): Promise<DeviceToken[]>;
}
