import { accessSync, constants } from "node:fs";
import { resolve } from "node:path";

/** Where metrics and TLS come from; both are off unless configured. */
export interface ObservabilityConfig {
  readonly metrics: {
    /** The management listener's port (METRICS_PORT); undefined: no management listener. */
    readonly port: number | undefined;
    readonly host: string;
    /** Bearer token for `GET /metrics` on the API port (METRICS_TOKEN); undefined: not served there. */
    readonly token: string | undefined;
  };
  /** Metrics are collected at all: a listener or a token is configured. */
  readonly metricsEnabled: boolean;
  /** HTTPS for the API (TLS_CERT_PATH / TLS_KEY_PATH); undefined: plain HTTP. */
  readonly tls: { readonly certPath: string; readonly keyPath: string } | undefined;
  /** OpenTelemetry traces (OTEL_EXPORTER_OTLP_ENDPOINT); undefined: off, no SDK started. */
  readonly tracing: TracingConfig | undefined;
}

export interface TracingConfig {
  /** The collector's base URL; spans go to `{endpoint}/v1/traces` as OTLP/HTTP JSON. */
  readonly endpoint: string;
  /** `service.name` on every span (OTEL_SERVICE_NAME, default `gatehouse`). */
  readonly serviceName: string;
}

/** The part of the configuration reader this file needs. */
interface EnvReader {
  raw(name: string): string | undefined;
  int(name: string, fallback: number, min: number, max: number): number;
  bool(name: string, fallback: boolean): boolean;
}

type Fail = (message: string) => never;

/** The standard OpenTelemetry variables; the endpoint is the base URL, as the specification defines it. */
function readTracing(read: EnvReader, fail: Fail): TracingConfig | undefined {
  const endpoint = read.raw("OTEL_EXPORTER_OTLP_ENDPOINT");
  const serviceName = read.raw("OTEL_SERVICE_NAME") ?? "gatehouse";
  if (endpoint === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    fail("OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL (the collector's OTLP/HTTP base)");
  }
  return { endpoint: endpoint.replace(/\/+$/, ""), serviceName };
}

const METRICS_TOKEN_MIN = 16;

function readablePath(name: string, value: string, cwd: string, fail: Fail): string {
  const path = resolve(cwd, value);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    fail(`${name} names a file that cannot be read: ${path}`);
  }
  return path;
}

/**
 * TLS_CERT_PATH and TLS_KEY_PATH, or their aliases SSL_CERT_PATH and SSL_KEY_PATH; TLS is on
 * when both are set, unless ENABLE_HTTPS=false. ENABLE_HTTPS=true without them is an error.
 */
function readTls(read: EnvReader, cwd: string, fail: Fail): ObservabilityConfig["tls"] {
  const certName = read.raw("TLS_CERT_PATH") !== undefined ? "TLS_CERT_PATH" : "SSL_CERT_PATH";
  const keyName = read.raw("TLS_KEY_PATH") !== undefined ? "TLS_KEY_PATH" : "SSL_KEY_PATH";
  const cert = read.raw(certName);
  const key = read.raw(keyName);
  const enabled = read.raw("ENABLE_HTTPS") === undefined ? undefined : read.bool("ENABLE_HTTPS", false);
  if (enabled === false) return undefined;
  if (cert === undefined && key === undefined) {
    if (enabled) fail("ENABLE_HTTPS is true but TLS_CERT_PATH and TLS_KEY_PATH (or SSL_*) are not set");
    return undefined;
  }
  if (cert === undefined) fail(`${keyName} is set but TLS_CERT_PATH (or SSL_CERT_PATH) is not`);
  if (key === undefined) fail(`${certName} is set but TLS_KEY_PATH (or SSL_KEY_PATH) is not`);
  return { certPath: readablePath(certName, cert, cwd, fail), keyPath: readablePath(keyName, key, cwd, fail) };
}

export function readObservability(read: EnvReader, cwd: string, fail: Fail): ObservabilityConfig {
  const port = read.raw("METRICS_PORT") === undefined ? undefined : read.int("METRICS_PORT", 0, 0, 65_535);
  const token = read.raw("METRICS_TOKEN");
  if (token !== undefined && token.length < METRICS_TOKEN_MIN) {
    fail(`METRICS_TOKEN must be at least ${METRICS_TOKEN_MIN} characters long`);
  }
  return {
    metrics: { port, host: read.raw("METRICS_HOST") ?? "127.0.0.1", token },
    metricsEnabled: port !== undefined || token !== undefined,
    tls: readTls(read, cwd, fail),
    tracing: readTracing(read, fail),
  };
}
