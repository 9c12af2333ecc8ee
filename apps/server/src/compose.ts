import { buildApp, type GatehouseApp } from "@gatehouse/api";
import { makeDescribeHost, makeLoadAccess } from "@gatehouse/application";
import { isDomainError } from "@gatehouse/domain";
import type { Config, DatabaseHandle, DevMailbox, Logger } from "@gatehouse/infrastructure";
import { ConfigError, makeHostInfo } from "@gatehouse/infrastructure";
import { createAdminAccount } from "./admin-account.js";
import { createObservability, type Observability } from "./observability-wiring.js";
import type { OutboxSender } from "./outbox-sender.js";
import { type AdapterOverrides, openAdapters } from "./wiring/adapters.js";
import { keycloakAdaptersOf } from "./wiring/keycloak.js";
import { startKeycloakSync } from "./wiring/keycloak-sync.js";
import { startMailSender } from "./wiring/mail-sender.js";
import { pagesOptionsOf } from "./wiring/pages.js";
import { openServingAdapters } from "./wiring/serving-adapters.js";
import { resolveServerSecret } from "./wiring/token-keys.js";
import { wireUseCases } from "./wiring/use-cases.js";
import { policiesFrom } from "./wiring/wiring.js";

/** How long a shutdown lets the mail in flight finish before failing it (a healthy server needs far less). */
const MAIL_SHUTDOWN_GRACE_MS = 2000;

export interface Server {
  readonly app: GatehouseApp;
  readonly database: DatabaseHandle;
  /** Where mail goes without SMTP_URL outside production; undefined otherwise. */
  readonly devMailbox: DevMailbox | undefined;
  /** The in-process outbox sender; undefined when there is nowhere to deliver to. */
  readonly mailSender: OutboxSender | undefined;
  /** Metrics, the management listener and TLS reloading (README "Operations"). */
  readonly observability: Observability;
  /** Flips readiness to 503; the first step of graceful shutdown. */
  beginShutdown(): void;
  /** Closes the HTTP server (waiting for in-flight requests), then the database. */
  close(): Promise<void>;
}

export type ServerOverrides = AdapterOverrides;

/**
 * The registration rules refuse a field by its name (`password: must be 8-128 characters`); at
 * start that field came from BOOTSTRAP_ADMIN_<FIELD>, so the line names the variable instead.
 */
function bootstrapConfigError(error: unknown): unknown {
  if (!isDomainError(error) || error.code !== "VALIDATION_ERROR" || !Array.isArray(error.details)) return error;
  const issues = error.details as ReadonlyArray<{ readonly field: string; readonly message: string }>;
  if (issues.length === 0) return error;
  return new ConfigError(
    issues.map((issue) => `BOOTSTRAP_ADMIN_${issue.field.toUpperCase()}: ${issue.message}`).join("; "),
  );
}

/** BOOTSTRAP_ADMIN_*: a super_admin when none exists; concurrent starts create one between them. */
async function applyBootstrapAdmin(config: Config, database: DatabaseHandle, logger: Logger): Promise<void> {
  if (config.bootstrapAdmin === undefined) return;
  const result = await createAdminAccount(config, database, config.bootstrapAdmin, {
    onlyIfNone: true,
    origin: "bootstrap",
  }).catch((error: unknown) => {
    throw bootstrapConfigError(error);
  });
  if (result.created) {
    logger.warn(
      { user_id: result.user.id, username: result.user.username },
      "created the bootstrap super_admin from BOOTSTRAP_ADMIN_*: change its password and unset BOOTSTRAP_ADMIN_PASSWORD",
    );
  } else {
    logger.info("a super_admin exists: BOOTSTRAP_ADMIN_* ignored");
  }
}

/**
 * The composition root, in order: adapters → use cases → Fastify → (at the end) close. Plain
 * functions, no container: wiring/ holds one function per feature group, so reading it tells
 * which adapter serves which port.
 */
export async function createServer(config: Config, logger: Logger, overrides: ServerOverrides = {}): Promise<Server> {
  const jwt = resolveServerSecret(config);
  const observability = createObservability(config, logger);
  const adapters = await openAdapters(config, {
    ...overrides,
    telemetry: observability.telemetry,
    ...(observability.queryObserver ? { queryObserver: observability.queryObserver } : {}),
  });
  let serving: Awaited<ReturnType<typeof openServingAdapters>>;
  try {
    await applyBootstrapAdmin(config, adapters.database, logger);
    serving = await openServingAdapters(config, logger, adapters, jwt);
  } catch (error) {
    await adapters.close();
    throw error;
  }

  const { close: _closeAdapters, ...shared } = adapters;
  const { close: _closeServing, ...online } = serving;
  const wiring = { ...shared, ...online, config, policies: policiesFrom(config) };
  const useCases = wireUseCases(wiring);

  let shuttingDown = false;
  const { lifecycle } = config;
  const app = await buildApp({
    ...(serving.devMailbox ? { devMailbox: serving.devMailbox } : {}),
    ...(config.mail.devMailboxToken ? { devMailboxToken: config.mail.devMailboxToken } : {}),
    ...observability.appOptions,
    describeHost: makeDescribeHost({
      loadAccess: makeLoadAccess({ users: adapters.repositories.users, cache: serving.cache }),
      hostInfo: makeHostInfo(),
    }),
    useCases,
    pages: pagesOptionsOf(config),
    tokenKeys: {
      issuer: config.jwt.issuer,
      publicBaseUrl: config.lifecycle.publicBaseUrl,
      algorithm: config.jwt.algorithm,
      publicJwks: () => serving.accessTokens.publicJwks(),
    },
    logger,
    version: config.appVersion,
    bodyLimitBytes: config.bodyLimitBytes,
    corsAllowedOrigins: config.corsAllowedOrigins,
    trustProxy: config.trustProxy,
    isShuttingDown: () => shuttingDown,
    responseFloors: {
      mailRequestsMs: lifecycle.mailRequestResponseFloorMs,
      registerMs: lifecycle.enumerationProtection ? lifecycle.registerResponseFloorMs : undefined,
    },
  });
  const mailSender = startMailSender(config, logger, adapters, serving);
  const keycloakSync = startKeycloakSync(config, logger, adapters, keycloakAdaptersOf(wiring));
  await observability.start({
    app,
    database: adapters.database,
    redis: serving.redis,
    redisCache: serving.redisCache,
  });

  return {
    app,
    database: adapters.database,
    devMailbox: serving.devMailbox,
    mailSender,
    observability,
    beginShutdown: () => {
      shuttingDown = true;
    },
    async close() {
      shuttingDown = true;
      await app.close();
      await observability.close();
      // The sender's round in flight still needs the database; mail it had not reached yet
      // stays queued for the next start. A send hanging on a frozen mail server would hold the
      // shutdown for its whole timeout: after a short grace it is failed, and retried later.
      const graceForMail = setTimeout(() => serving.closeMail(), MAIL_SHUTDOWN_GRACE_MS);
      await mailSender?.stop();
      clearTimeout(graceForMail);
      await keycloakSync?.stop();
      await serving.close();
      await adapters.close();
    },
  };
}
