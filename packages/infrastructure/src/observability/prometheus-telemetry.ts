// Over 300 lines on purpose: every metric is defined here, so names, labels and buckets are
// reviewed side by side against README "Operations".
import {
  type CacheResult,
  CacheResults,
  type DbOperation,
  DbOperations,
  type LoginOutcome,
  LoginOutcomes,
  RateLimitCategories,
  type RegistrationOutcome,
  RegistrationOutcomes,
  type Telemetry,
  type TokenRefreshOutcome,
  TokenRefreshOutcomes,
} from "@gatehouse/domain";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** 1 ms to 5 s: a cached `me` takes about a millisecond, a login (argon2) a few hundred. */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const DB_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const HASH_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** Figures read when Prometheus scrapes, not on every request. */
export interface MetricsSamplers {
  /** Open HTTP connections of the API listener. */
  readonly activeConnections?: () => Promise<number>;
  /** Outbox rows per state; called at most every {@link OUTBOX_SAMPLE_MS} whatever the scrape rate. */
  readonly outboxByState?: () => Promise<Readonly<Record<string, number>>>;
  /** 1 while the Redis connection is ready; absent without Redis. */
  readonly redisUp?: () => boolean;
  /** Database pool figures by state (`max`, `in_flight`). */
  readonly dbPool?: () => Readonly<Record<string, number>>;
  /** Cache reads that failed (the adapter answered a miss), as a running total. */
  readonly cacheErrors?: () => number;
}

export const OUTBOX_SAMPLE_MS = 15_000;

interface DbSeries {
  readonly queries: ReturnType<Counter<"operation" | "table">["labels"]>;
  readonly duration: ReturnType<Histogram<"operation" | "table">["labels"]>;
}

interface HttpSeries {
  readonly requests: ReturnType<Counter<"method" | "route" | "status">["labels"]>;
  readonly duration: ReturnType<Histogram<"method" | "route" | "status">["labels"]>;
}

/**
 * The Telemetry port on prom-client, with the metric names the README "Operations" section
 * lists. Label values are bounded here: an unknown method is `OTHER`, a status outside
 * 100-599 is `other`, an unknown rate-limit category is `other`; routes arrive as templates.
 */
export class PrometheusTelemetry implements Telemetry {
  readonly registry = new Registry();
  private readonly httpRequests: Counter<"method" | "route" | "status">;
  private readonly httpDuration: Histogram<"method" | "route" | "status">;
  private readonly dbQueries: Counter<"operation" | "table">;
  private readonly dbDuration: Histogram<"operation" | "table">;
  private readonly logins: Counter<"method" | "outcome">;
  private readonly refreshes: Counter<"outcome">;
  private readonly registrations: Counter<"outcome">;
  private readonly rateLimitedTotal: Counter<"category">;
  private readonly revoked: Counter<"reason">;
  private readonly hashQueue: Gauge;
  private readonly hashDuration: Histogram;
  private readonly cacheRequests: Counter<"result">;
  // Hot-path series (per request, per statement, per cache read) are looked up once per
  // distinct label combination, not hashed on every call.
  private readonly httpSeries = new Map<string, HttpSeries>();
  private readonly dbSeries = new Map<string, DbSeries>();
  private readonly cacheSeries = new Map<CacheResult, ReturnType<Counter<"result">["labels"]>>();
  private samplers: MetricsSamplers = {};

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({
      name: "api_http_requests_total",
      help: "HTTP requests answered, by method, route template and status",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.httpDuration = new Histogram({
      name: "api_http_request_duration_seconds",
      help: "HTTP request duration from arrival to response, by method, route template and status",
      labelNames: ["method", "route", "status"],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.dbQueries = new Counter({
      name: "api_db_queries_total",
      help: "Database statements run, by operation and table",
      labelNames: ["operation", "table"],
      registers,
    });
    this.dbDuration = new Histogram({
      name: "api_db_query_duration_seconds",
      help: "Database statement duration, by operation and table",
      labelNames: ["operation", "table"],
      buckets: DB_BUCKETS,
      registers,
    });
    const samplers = () => this.samplers;
    new Gauge({
      name: "api_active_connections",
      help: "Open HTTP connections on the API listener",
      registers,
      async collect() {
        const count = samplers().activeConnections;
        if (count) this.set(await count());
      },
    });
    new Gauge({
      name: "api_memory_usage_bytes",
      help: "Memory used by the process, by type (rss, heap_total, heap_used, external)",
      labelNames: ["type"],
      registers,
      collect() {
        const usage = process.memoryUsage();
        this.set({ type: "rss" }, usage.rss);
        this.set({ type: "heap_total" }, usage.heapTotal);
        this.set({ type: "heap_used" }, usage.heapUsed);
        this.set({ type: "external" }, usage.external);
      },
    });
    this.logins = new Counter({
      name: "gatehouse_logins_total",
      help: "Login attempts by method and outcome",
      labelNames: ["method", "outcome"],
      registers,
    });
    this.refreshes = new Counter({
      name: "gatehouse_token_refresh_total",
      help: "Refresh-token presentations by verdict",
      labelNames: ["outcome"],
      registers,
    });
    this.registrations = new Counter({
      name: "gatehouse_registrations_total",
      help: "Self-registrations by outcome",
      labelNames: ["outcome"],
      registers,
    });
    this.rateLimitedTotal = new Counter({
      name: "gatehouse_rate_limited_total",
      help: "Requests and attempts refused by a rate limit, by category",
      labelNames: ["category"],
      registers,
    });
    this.revoked = new Counter({
      name: "gatehouse_revocations_total",
      help: "Sessions (refresh-token families) revoked, by reason",
      labelNames: ["reason"],
      registers,
    });
    this.hashQueue = new Gauge({
      name: "gatehouse_password_hash_queue",
      help: "Password hashes and verifications waiting for a slot or running",
      registers,
    });
    this.hashDuration = new Histogram({
      name: "gatehouse_password_hash_duration_seconds",
      help: "Password hash or verification duration, waiting for a slot included",
      buckets: HASH_BUCKETS,
      registers,
    });
    let cacheErrorsSeen = 0;
    this.cacheRequests = new Counter({
      name: "gatehouse_cache_requests_total",
      help: "Cache reads by result",
      labelNames: ["result"],
      registers,
      // Failed reads are counted by the cache adapter; each scrape adds what it counted since the last.
      collect() {
        const errors = samplers().cacheErrors?.();
        if (errors !== undefined && errors > cacheErrorsSeen) {
          this.inc({ result: "error" }, errors - cacheErrorsSeen);
          cacheErrorsSeen = errors;
        }
      },
    });
    let outbox: { at: number; counts: Readonly<Record<string, number>> } | undefined;
    new Gauge({
      name: "gatehouse_mail_outbox",
      help: `Outbox rows by state, sampled at most every ${OUTBOX_SAMPLE_MS / 1000} s`,
      labelNames: ["state"],
      registers,
      async collect() {
        const sample = samplers().outboxByState;
        if (!sample) return;
        if (outbox === undefined || Date.now() - outbox.at >= OUTBOX_SAMPLE_MS) {
          outbox = { at: Date.now(), counts: await sample() };
        }
        for (const state of ["pending", "sent", "failed"]) this.set({ state }, outbox.counts[state] ?? 0);
      },
    });
    new Gauge({
      name: "gatehouse_db_pool",
      help: "Database pool figures by state: max (configured size), in_flight (statements running or queued)",
      labelNames: ["state"],
      registers,
      collect() {
        const pool = samplers().dbPool?.();
        if (pool) for (const [state, value] of Object.entries(pool)) this.set({ state }, value);
      },
    });
    this.initialiseSeries();
  }

  /** Every known outcome starts at 0, so rates and dashboards see a series before its first event. */
  private initialiseSeries(): void {
    for (const outcome of LoginOutcomes) this.logins.inc({ method: "password", outcome }, 0);
    for (const outcome of TokenRefreshOutcomes) this.refreshes.inc({ outcome }, 0);
    for (const outcome of RegistrationOutcomes) this.registrations.inc({ outcome }, 0);
    for (const category of RateLimitCategories) this.rateLimitedTotal.inc({ category }, 0);
    for (const result of CacheResults) this.cacheRequests.inc({ result }, 0);
    for (const operation of DbOperations)
      if (operation !== "other") this.dbQueries.inc({ operation, table: "other" }, 0);
  }

  /** Sets the scrape-time figures; the server calls it once its parts exist. */
  sampleWith(samplers: MetricsSamplers): void {
    this.samplers = { ...this.samplers, ...samplers };
    const { redisUp } = samplers;
    // Registered only with Redis: an unset gauge would read 0, which means "down".
    if (redisUp && this.registry.getSingleMetric("gatehouse_redis_up") === undefined) {
      new Gauge({
        name: "gatehouse_redis_up",
        help: "1 while the Redis connection is ready, 0 while it is not; absent without Redis",
        registers: [this.registry],
        collect() {
          this.set(redisUp() ? 1 : 0);
        },
      });
    }
  }

  /** The exposition text and its content type, for `/metrics`. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    const known = METHODS.has(method) ? method : "OTHER";
    const key = `${known} ${status} ${route}`;
    let series = this.httpSeries.get(key);
    if (series === undefined) {
      const labels = { method: known, route, status: status >= 100 && status <= 599 ? String(status) : "other" };
      series = { requests: this.httpRequests.labels(labels), duration: this.httpDuration.labels(labels) };
      this.httpSeries.set(key, series);
    }
    series.requests.inc();
    series.duration.observe(seconds);
  }

  dbQuery(operation: DbOperation, table: string, seconds: number): void {
    const key = `${operation} ${table}`;
    let series = this.dbSeries.get(key);
    if (series === undefined) {
      const labels = { operation, table };
      series = { queries: this.dbQueries.labels(labels), duration: this.dbDuration.labels(labels) };
      this.dbSeries.set(key, series);
    }
    series.queries.inc();
    series.duration.observe(seconds);
  }

  login(method: string, outcome: LoginOutcome): void {
    this.logins.inc({ method, outcome });
  }

  tokenRefresh(outcome: TokenRefreshOutcome): void {
    this.refreshes.inc({ outcome });
  }

  registration(outcome: RegistrationOutcome): void {
    this.registrations.inc({ outcome });
  }

  rateLimited(category: string): void {
    this.rateLimitedTotal.inc({ category });
  }

  revocations(reason: string, count: number): void {
    this.revoked.inc({ reason }, count);
  }

  passwordHashStarted(): void {
    this.hashQueue.inc();
  }

  passwordHashFinished(seconds: number): void {
    this.hashQueue.dec();
    this.hashDuration.observe(seconds);
  }

  cacheRequest(result: CacheResult): void {
    let series = this.cacheSeries.get(result);
    if (series === undefined) {
      series = this.cacheRequests.labels({ result });
      this.cacheSeries.set(result, series);
    }
    series.inc();
  }
}
