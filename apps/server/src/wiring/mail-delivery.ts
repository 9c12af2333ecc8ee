import type { MailDeliveryPolicy } from "@gatehouse/application";
import type { Config } from "@gatehouse/infrastructure";

/**
 * How outbox mail is delivered, by the server's sender and by the worker's cleanup alike:
 * MAIL_* settings, retries backing off to at most an hour, and a claimed message leased for
 * two minutes before another sender may take it over.
 */
export function mailDeliveryPolicy(config: Config): MailDeliveryPolicy {
  return {
    batchSize: config.mail.batchSize,
    maxAttempts: config.mail.maxAttempts,
    retryBaseSeconds: config.mail.retryBaseSeconds,
    retryMaxSeconds: 3600,
    leaseSeconds: 120,
  };
}
