import type { DeliverDueMail } from "@gatehouse/application";
import type { Logger } from "@gatehouse/infrastructure";

export interface OutboxSender {
  /** Runs a round now instead of at the next tick (e.g. right after a mail was queued). */
  wake(): void;
  /** Stops polling and waits for the round in flight, so the database can close after it. */
  stop(): Promise<void>;
}

export interface OutboxSenderOptions {
  readonly deliver: DeliverDueMail;
  /** Pause between rounds when the last one found less than a full batch. */
  readonly intervalMs: number;
  readonly batchSize: number;
  readonly logger: Logger;
  /** What the loop drains, for its log lines; default "mail outbox". */
  readonly label?: string;
}

/**
 * The in-process loop that drains the mail outbox: one round, then (unless the round was a
 * full batch, which means more are waiting) a pause. A failing round (database down) is
 * logged and retried on the next tick; it never ends the loop.
 */
export function startOutboxSender(options: OutboxSenderOptions): OutboxSender {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let resume: (() => void) | undefined;

  const pause = () =>
    new Promise<void>((resolve) => {
      resume = resolve;
      timer = setTimeout(resolve, options.intervalMs);
      timer.unref();
    });

  async function round(): Promise<boolean> {
    try {
      const summary = await options.deliver();
      const label = options.label ?? "mail outbox";
      if (summary.claimed > 0) options.logger.debug(summary, `${label} round`);
      if (summary.retried > 0 || summary.failed > 0) {
        options.logger.warn(summary, `${label}: some items failed; they are retried later or given up`);
      }
      return summary.claimed === options.batchSize;
    } catch (error) {
      // The logger's serializer makes it safe; serialising here too logged "non-Error thrown".
      options.logger.error({ err: error }, `${options.label ?? "mail outbox"} round failed`);
      return false;
    }
  }

  const loop = (async () => {
    while (!stopped) {
      const moreWaiting = await round();
      if (!moreWaiting && !stopped) await pause();
    }
  })();

  const wakeUp = () => {
    clearTimeout(timer);
    resume?.();
  };
  return {
    wake: wakeUp,
    async stop() {
      stopped = true;
      wakeUp();
      await loop;
    },
  };
}
