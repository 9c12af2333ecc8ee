import type { AppOptions, GatehouseApp } from "@gatehouse/api";
import { NO_TELEMETRY, type Telemetry } from "@gatehouse/domain";
import {
  type Config,
  combineQueryObservers,
  countOutboxByState,
  type DatabaseHandle,
  type Logger,
  type MetricsServer,
  makeQueryMetrics,
  makeQuerySpans,
  PrometheusTelemetry,
  type QueryObserver,
  type RedisCache,
  type RedisConnection,
  readTlsMaterial,
  startMetricsServer,
  startTracing,
  type TlsMaterial,
  type Tracing,
  traceRequests,
  watchTlsFiles,
} from "@gatehouse/infrastructure";

/** What the observability wiring needs once the rest of the server exists. */
export interface ObservedParts {
  readonly app: GatehouseApp;
  readonly database: DatabaseHandle;
  readonly redis: RedisConnection | undefined;
  readonly redisCache: RedisCache | undefined;
}

/**
 * Metrics, the management listener, traces and TLS, wired from the configuration (README
 * "Operations"). With nothing configured the telemetry is the no-op one, no tracing SDK
 * exists and nothing listens.
 */
export interface Observability {
  readonly telemetry: Telemetry;
  /** Handed to `openDatabase`; undefined with metrics and tracing off (no per-query cost at all). */
  readonly queryObserver: QueryObserver | undefined;
  /** The parts of `buildApp`'s options this wiring decides. */
  readonly appOptions: Pick<AppOptions, "telemetry" | "metricsEndpoint" | "https" | "tracing">;
  /** Starts the scrape-time samplers, the management listener and certificate reloading. */
  start(parts: ObservedParts): Promise<void>;
  /** The management listener's port once started; undefined when there is none. */
  metricsPort(): number | undefined;
  close(): Promise<void>;
}

/** Re-reads the certificate when its files change (polled every 2 s) or on SIGHUP; returns the stop function. */
function reloadCertificates(config: Config, app: GatehouseApp, logger: Logger): () => void {
  const paths = config.observability.tls;
  if (paths === undefined) return () => {};
  const server = app.server as unknown as { setSecureContext(material: TlsMaterial): void };
  const reload = (why: string) => {
    try {
      server.setSecureContext(readTlsMaterial(paths));
      logger.info({ cert: paths.certPath, trigger: why }, "TLS certificate reloaded");
    } catch (error) {
      // A certificate and key written one after the other do not match in between: keep
      // serving the previous pair, the next change reloads again.
      logger.warn({ err: error, trigger: why }, "TLS certificate reload failed; the previous certificate stays in use");
    }
  };
  const onHangUp = () => reload("SIGHUP");
  process.on("SIGHUP", onHangUp);
  const unwatch = watchTlsFiles(paths, () => reload("file change"));
  return () => {
    process.off("SIGHUP", onHangUp);
    unwatch();
  };
}

export function createObservability(config: Config, logger: Logger): Observability {
  const settings = config.observability;
  const tls = settings.tls === undefined ? undefined : readTlsMaterial(settings.tls);
  const prometheus = settings.metricsEnabled ? new PrometheusTelemetry() : undefined;
  const queryMetrics = prometheus && makeQueryMetrics(prometheus);
  // Started before anything opens, so the first statements already have a tracer.
  const tracing: Tracing | undefined = settings.tracing && startTracing(settings.tracing, config.appVersion);
  const maxConnections = config.database.kind === "postgres" ? config.database.maxConnections : 1;
  const render = () => (prometheus as PrometheusTelemetry).render();
  let metricsServer: MetricsServer | undefined;
  let stopReloading = () => {};
  return {
    telemetry: prometheus ?? NO_TELEMETRY,
    queryObserver: combineQueryObservers([queryMetrics, tracing && makeQuerySpans("postgresql")]),
    appOptions: {
      ...(tracing ? { tracing: true } : {}),
      ...(prometheus ? { telemetry: prometheus } : {}),
      ...(prometheus && settings.metrics.token ? { metricsEndpoint: { token: settings.metrics.token, render } } : {}),
      ...(tls ? { https: tls } : {}),
    },
    async start({ app, database, redis, redisCache }) {
      stopReloading = reloadCertificates(config, app, logger);
      if (tracing && settings.tracing) {
        traceRequests(app.server);
        // The origin only: a collector URL may carry credentials.
        logger.info(
          { collector: new URL(settings.tracing.endpoint).origin },
          "tracing on: spans exported over OTLP/HTTP",
        );
      }
      if (prometheus === undefined || queryMetrics === undefined) return;
      prometheus.sampleWith({
        activeConnections: () =>
          new Promise((resolve) => app.server.getConnections((error, count) => resolve(error ? 0 : count))),
        outboxByState: () => countOutboxByState(database.db),
        dbPool: () => ({ max: maxConnections, in_flight: queryMetrics.inFlight() }),
        ...(redis ? { redisUp: () => redis.isReady() } : {}),
        ...(redisCache ? { cacheErrors: () => redisCache.stats().errors } : {}),
      });
      if (settings.metrics.port !== undefined) {
        metricsServer = await startMetricsServer({
          host: settings.metrics.host,
          port: settings.metrics.port,
          render,
          onError: (error) => logger.error({ err: error }, "rendering /metrics failed"),
        });
        logger.info({ host: settings.metrics.host, port: metricsServer.port }, "metrics listener started");
      }
    },
    metricsPort: () => metricsServer?.port,
    async close() {
      stopReloading();
      await metricsServer?.close();
      // Last: the spans of the requests that just finished are still buffered.
      await tracing?.shutdown();
    },
  };
}
