// Over 300 lines on purpose: connecting, reconnecting, the stall guard and readiness are one
// connection lifecycle whose states must be read together.
import { createHash } from "node:crypto";
import type { HealthProbe } from "@gatehouse/domain";
import { createClient, createCluster } from "redis";
import type { RedisSettings } from "../config/config.js";
import type { Logger } from "../logging/logger.js";
import { stallGuard } from "./stall-guard.js";

/** A Lua script run with EVALSHA (the source is sent once per server, on NOSCRIPT). */
export class RedisScript {
  readonly sha1: string;
  constructor(readonly source: string) {
    this.sha1 = createHash("sha1").update(source).digest("hex");
  }
}

/**
 * The Redis commands Gatehouse uses, the same for one server and for a Cluster. Keys and
 * channels are given without the deployment's prefix (added here). Every command fails fast
 * (command timeout, or at once while disconnected) rather than queueing, so callers can fall
 * back to their in-memory behaviour. In a Cluster, keys a script touches together must share
 * a hash tag (`{...}`), e.g. `ratelimit:{login:1.2.3.4}:a` and `ratelimit:{login:1.2.3.4}:b`.
 */
export interface RedisCommands {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Deletes each key; in a Cluster the keys may live in different slots. */
  del(keys: readonly string[]): Promise<void>;
  /** Members of the sorted set with a score from `min` to `max` (inclusive). */
  zRangeByScore(key: string, min: number, max: number): Promise<string[]>;
  /** Runs the script on the node owning `keys` (all of one slot in a Cluster). */
  runScript(script: RedisScript, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  publish(channel: string, message: string): Promise<void>;
}

export interface RedisConnection extends RedisCommands {
  readonly mode: "single" | "cluster";
  /** The prefix this connection adds to keys and channels. */
  readonly keyPrefix: string;
  /** True while commands can be sent. */
  isReady(): boolean;
  /**
   * Calls `listener` with each message on `channel`. The subscription survives reconnects;
   * messages published while disconnected are lost, so pair it with `onReconnect`.
   */
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  /** Calls `listener` every time the connection becomes ready again after a loss. */
  onReconnect(listener: () => void): void;
  /** Readiness probe named `redis`; its failure degrades readiness (README, "Redis and Redis Cluster"). */
  readonly probe: HealthProbe;
  close(): Promise<void>;
}

/** Exponential backoff from 50 ms, capped at 2 s, with jitter so nodes do not reconnect in step. */
export function reconnectDelayMs(retries: number): number {
  const base = Math.min(2000, 50 * 2 ** Math.min(retries, 6));
  return Math.round(base / 2 + Math.random() * (base / 2));
}

type SingleClient = ReturnType<typeof createClient>;
type ClusterClient = ReturnType<typeof createCluster>;

function socketOptions(settings: RedisSettings) {
  return {
    connectTimeout: Math.max(1000, settings.commandTimeoutMs * 5),
    reconnectStrategy: reconnectDelayMs,
  };
}

/** Waits for `work`, but no longer than `ms` (the work goes on). */
async function boundedBy(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("NOSCRIPT");
}

/**
 * Opens the connection in the background: the server starts (degraded) even while Redis is
 * down, and the client keeps reconnecting with backoff. Errors are logged once per outage,
 * never thrown at callers except as a failed command.
 */
export function openRedis(settings: RedisSettings, logger: Logger): RedisConnection {
  return settings.target.kind === "single"
    ? openSingle(settings, settings.target.url, logger)
    : openCluster(settings, settings.target.nodeUrls, logger);
}

/** Logs the first error of an outage and the recovery, not every reconnect attempt. */
function outageLog(logger: Logger, what: string) {
  let down = false;
  return {
    failed(error: unknown) {
      if (down) return;
      down = true;
      logger.warn({ err: error }, `${what} unreachable: falling back until it returns`);
    },
    recovered(): boolean {
      if (!down) return false;
      down = false;
      logger.info(`${what} reachable again`);
      return true;
    },
  };
}

interface Backend {
  readonly mode: "single" | "cluster";
  isReady(): boolean;
  get(key: string): Promise<string | null>;
  setEx(key: string, value: string, ttlSeconds: number): Promise<unknown>;
  delOne(key: string): Promise<unknown>;
  zRangeByScore(key: string, min: number, max: number): Promise<string[]>;
  evalSha(sha1: string, keys: string[], args: string[]): Promise<unknown>;
  eval(source: string, keys: string[], args: string[]): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  ping(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  close(): Promise<void>;
}

type Outage = ReturnType<typeof outageLog>;

function connectionOn(
  backend: Backend,
  settings: RedisSettings,
  reconnectListeners: (() => void)[],
  outage: Outage,
): RedisConnection {
  const prefix = settings.keyPrefix;
  const prefixed = (keys: readonly string[]) => keys.map((key) => prefix + key);
  const guard = stallGuard(
    backend,
    settings.commandTimeoutMs,
    () => {
      if (outage.recovered()) for (const listener of reconnectListeners) listener();
    },
    outage,
  );
  const call = guard.call;
  const isReady = () => backend.isReady() && !guard.stalled();
  return {
    mode: backend.mode,
    keyPrefix: prefix,
    isReady,
    get: (key) => call(() => backend.get(prefix + key)),
    async set(key, value, ttlSeconds) {
      await call(() => backend.setEx(prefix + key, value, ttlSeconds));
    },
    async del(keys) {
      // One DEL per key: a multi-key DEL across cluster slots fails with CROSSSLOT.
      await Promise.all(keys.map((key) => call(() => backend.delOne(prefix + key))));
    },
    zRangeByScore: (key, min, max) => call(() => backend.zRangeByScore(prefix + key, min, max)),
    async runScript(script, keys, args) {
      const fullKeys = prefixed(keys);
      try {
        return await call(() => backend.evalSha(script.sha1, fullKeys, [...args]));
      } catch (error) {
        if (!isNoScript(error)) throw error;
        return await call(() => backend.eval(script.source, fullKeys, [...args]));
      }
    },
    async publish(channel, message) {
      await call(() => backend.publish(prefix + channel, message));
    },
    subscribe: (channel, listener) => backend.subscribe(prefix + channel, listener),
    onReconnect(listener) {
      reconnectListeners.push(listener);
    },
    probe: {
      name: "redis",
      async ping() {
        if (guard.stalled()) throw new Error("not answering");
        if (!backend.isReady()) throw new Error("not connected");
        await call(() => backend.ping());
      },
    },
    close: () => {
      guard.stop();
      return backend.close();
    },
  };
}

function openSingle(settings: RedisSettings, url: string, logger: Logger): RedisConnection {
  const options = {
    url,
    socket: socketOptions(settings),
    disableOfflineQueue: true,
    commandOptions: { timeout: settings.commandTimeoutMs },
  };
  const client: SingleClient = createClient(options);
  // A subscribed connection cannot send other commands; it is opened on first subscribe.
  let subscriber: SingleClient | undefined;
  const reconnectListeners: (() => void)[] = [];
  const outage = outageLog(logger, "Redis");
  client.on("error", (error: unknown) => outage.failed(error));
  client.on("ready", () => {
    if (outage.recovered()) for (const listener of reconnectListeners) listener();
  });
  client.connect().catch((error: unknown) => outage.failed(error));

  const backend: Backend = {
    mode: "single",
    // Ready only once pub/sub is back too: until then other nodes' revocations do not arrive.
    isReady: () => client.isReady && (subscriber === undefined || subscriber.isReady),
    get: (key) => client.get(key),
    setEx: (key, value, ttlSeconds) => client.set(key, value, { expiration: { type: "EX", value: ttlSeconds } }),
    delOne: (key) => client.del(key),
    zRangeByScore: (key, min, max) => client.zRangeByScore(key, min, max),
    evalSha: (sha1, keys, args) => client.evalSha(sha1, { keys, arguments: args }),
    eval: (source, keys, args) => client.eval(source, { keys, arguments: args }),
    publish: (channel, message) => client.publish(channel, message),
    ping: () => client.ping(),
    async subscribe(channel, listener) {
      if (subscriber === undefined) {
        // Queues SUBSCRIBE until connected (this connection sends nothing else).
        subscriber = client.duplicate({ disableOfflineQueue: false });
        subscriber.on("error", (error: unknown) => outage.failed(error));
        // Messages sent while it was away are lost: whoever subscribed resynchronises.
        subscriber.on("ready", () => {
          for (const reconnect of reconnectListeners) reconnect();
        });
        subscriber.connect().catch((error: unknown) => outage.failed(error));
      }
      // Registered locally at once; node-redis sends SUBSCRIBE now or on (re)connect.
      const subscribed = subscriber
        .subscribe(channel, (message: string) => listener(message))
        .catch((error: unknown) => {
          outage.failed(error);
        });
      // With Redis up, return once subscribed, so nothing published afterwards is missed.
      if (client.isReady) await boundedBy(subscribed, socketOptions(settings).connectTimeout);
    },
    async close() {
      await Promise.all(
        [client, subscriber].map(async (each) => {
          if (each === undefined || !each.isOpen) return;
          // Destroying a client in the middle of its first connect leaves its socket open
          // (node-redis 6.3.1), which kept short-lived processes (the CLI) alive for good: give a
          // connect in progress up to the connect timeout to finish, then close it properly.
          if (!each.isReady) {
            const settled = new Promise<void>((resolve) => {
              each.once("ready", () => resolve());
              each.once("error", () => resolve());
            });
            await boundedBy(settled, socketOptions(settings).connectTimeout);
          }
          // A client still reconnecting after that has nothing to flush: destroy it.
          if (each.isReady) await each.close();
          else if (each.isOpen) each.destroy();
        }),
      );
    },
  };
  return connectionOn(backend, settings, reconnectListeners, outage);
}

function openCluster(settings: RedisSettings, nodeUrls: readonly string[], logger: Logger): RedisConnection {
  const first = new URL(nodeUrls[0] as string);
  const cluster: ClusterClient = createCluster({
    rootNodes: nodeUrls.map((url) => ({ url })),
    // Discovered nodes get these settings only (not the root URLs'), so credentials go here too.
    defaults: {
      socket: socketOptions(settings),
      disableOfflineQueue: true,
      ...(first.username === "" ? {} : { username: decodeURIComponent(first.username) }),
      ...(first.password === "" ? {} : { password: decodeURIComponent(first.password) }),
    },
    commandOptions: { timeout: settings.commandTimeoutMs },
  });
  const reconnectListeners: (() => void)[] = [];
  const outage = outageLog(logger, "Redis Cluster");
  let ready = false;
  const notifyRecovered = () => {
    if (outage.recovered()) for (const listener of reconnectListeners) listener();
  };
  cluster.on("error", (error: unknown) => outage.failed(error));
  cluster.on("node-error", (error: unknown) => {
    outage.failed(error);
  });
  cluster.on("node-ready", notifyRecovered);
  // Subscribing needs the topology, so subscriptions made before the first connect wait for it.
  const subscriptions: { channel: string; listener: (message: string) => void }[] = [];
  const applySubscription = (channel: string, listener: (message: string) => void) =>
    cluster
      .subscribe(channel, (message: string) => listener(message))
      .catch((error: unknown) => {
        outage.failed(error);
      });
  // The first connect fails when no root node answers; retry with backoff until one does.
  const connect = (attempt: number): void => {
    cluster
      .connect()
      .then(() => {
        ready = true;
        for (const { channel, listener } of subscriptions) applySubscription(channel, listener);
        notifyRecovered();
      })
      .catch((error: unknown) => {
        outage.failed(error);
        const timer = setTimeout(() => connect(attempt + 1), reconnectDelayMs(attempt));
        timer.unref();
      });
  };
  connect(0);
  let closed = false;

  const backend: Backend = {
    mode: "cluster",
    isReady: () => ready && !closed && cluster.isReady,
    get: (key) => cluster.get(key),
    setEx: (key, value, ttlSeconds) => cluster.set(key, value, { expiration: { type: "EX", value: ttlSeconds } }),
    delOne: (key) => cluster.del(key),
    zRangeByScore: (key, min, max) => cluster.zRangeByScore(key, min, max),
    evalSha: (sha1, keys, args) => cluster.evalSha(sha1, { keys, arguments: args }),
    eval: (source, keys, args) => cluster.eval(source, { keys, arguments: args }),
    publish: (channel, message) => cluster.publish(channel, message),
    // Any master answering shows the cluster is reachable; a slot-specific outage shows as misses.
    ping: () => cluster.sendCommand(undefined, true, ["PING"]),
    async subscribe(channel, listener) {
      if (!ready) subscriptions.push({ channel, listener });
      else await boundedBy(applySubscription(channel, listener), socketOptions(settings).connectTimeout);
    },
    async close() {
      closed = true;
      if (cluster.isReady) await cluster.close();
      else if (cluster.isOpen) cluster.destroy();
    },
  };
  return connectionOn(backend, settings, reconnectListeners, outage);
}
