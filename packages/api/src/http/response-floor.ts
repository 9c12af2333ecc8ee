import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyReply } from "fastify";

/**
 * Holds a successful answer until `floorMs` have passed since the request arrived. Whether an
 * account exists changes how much work such a request does (a code, a mail); answering at a
 * fixed floor hides that difference as long as the work fits under it.
 */
export async function holdUntilFloor(reply: FastifyReply, floorMs: number | undefined): Promise<void> {
  if (floorMs === undefined) return;
  const waitMs = floorMs - reply.elapsedTime;
  if (waitMs > 0) await sleep(waitMs);
}

/**
 * Runs `work` and answers, success or refusal, no sooner than `floorMs` after the request
 * arrived: for checks whose refusals must not tell known from unknown accounts (a code for an
 * address that has no account is refused at once, a wrong code after an attempt was claimed).
 */
export async function withinFloor<T>(
  reply: FastifyReply,
  floorMs: number | undefined,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } finally {
    await holdUntilFloor(reply, floorMs);
  }
}
