import type { Clock } from "@gatehouse/domain";

export const systemClock: Clock = { now: () => new Date() };
