import {
  type Clock,
  type DeviceToken,
  type DeviceTokenRepository,
  DomainError,
  type RequestContext,
  type UnitOfWork,
} from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";

export interface ListDevicesDeps {
  readonly deviceTokens: Pick<DeviceTokenRepository, "listLive">;
  readonly clock: Clock;
}

/** The caller's known devices (live device tokens), newest first: listed with the sessions. */
export function makeListDevices(deps: ListDevicesDeps) {
  return async function listDevices(userId: string): Promise<DeviceToken[]> {
    return deps.deviceTokens.listLive(userId, deps.clock.now());
  };
}

export interface RevokeDeviceDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
}

/**
 * Forgets one of the caller's devices: its failed sign-ins count in the account's untrusted
 * budget from now on. Another user's device, a revoked one and an unknown id are one answer,
 * 404, so device ids cannot be probed.
 */
export function makeRevokeDevice(deps: RevokeDeviceDeps) {
  return async function revokeDevice(input: { userId: string; deviceId: string }, ctx: RequestContext): Promise<void> {
    await deps.uow.run(async (tx) => {
      if (!(await tx.deviceTokens.revoke(input.userId, input.deviceId, deps.clock.now()))) {
        throw new DomainError("NOT_FOUND", "Device not found");
      }
      await audit(tx, deps, ctx, {
        action: "auth.device_revoked",
        userId: input.userId,
        resourceType: "device",
        resourceId: input.deviceId,
      });
    });
  };
}

export type ListDevices = ReturnType<typeof makeListDevices>;
export type RevokeDevice = ReturnType<typeof makeRevokeDevice>;
