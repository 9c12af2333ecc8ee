import { makeDeliverDueMail } from "@gatehouse/application";
import { type Config, type Logger, makeMailQueue } from "@gatehouse/infrastructure";
import { type OutboxSender, startOutboxSender } from "../outbox-sender.js";
import type { Adapters } from "./adapters.js";
import { mailDeliveryPolicy } from "./mail-delivery.js";
import type { ServingAdapters } from "./serving-adapters.js";

/** The in-process outbox sender; undefined when there is nowhere to deliver to. */
export function startMailSender(
  config: Config,
  logger: Logger,
  adapters: Adapters,
  serving: ServingAdapters,
): OutboxSender | undefined {
  if (serving.mailer === undefined) return undefined;
  const policy = mailDeliveryPolicy(config);
  const queue = makeMailQueue(adapters.database.db);
  return startOutboxSender({
    deliver: makeDeliverDueMail({ queue, mailer: serving.mailer, clock: adapters.clock, policy }),
    intervalMs: config.mail.pollIntervalMs,
    batchSize: policy.batchSize,
    logger,
  });
}
