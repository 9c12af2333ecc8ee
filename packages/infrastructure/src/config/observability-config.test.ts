import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./env-reader.js";
import { loadConfig } from "./load-config.js";

const emptyDir = () => mkdtempSync(join(tmpdir(), "gh-obs-config-"));

function withPemFiles() {
  const cwd = emptyDir();
  writeFileSync(join(cwd, "cert.pem"), "cert");
  writeFileSync(join(cwd, "key.pem"), "key");
  return cwd;
}

describe("observability configuration", () => {
  it("is all off by default, with the management address on loopback", () => {
    const { observability } = loadConfig({}, emptyDir());
    expect(observability).toEqual({
      metrics: { port: undefined, host: "127.0.0.1", token: undefined },
      metricsEnabled: false,
      tls: undefined,
      tracing: undefined,
    });
  });

  it("turns tracing on with OTEL_EXPORTER_OTLP_ENDPOINT, honouring OTEL_SERVICE_NAME", () => {
    const on = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" }, emptyDir()).observability;
    expect(on.tracing).toEqual({ endpoint: "http://collector:4318", serviceName: "gatehouse" });
    const named = loadConfig(
      { OTEL_EXPORTER_OTLP_ENDPOINT: "https://collector:4318", OTEL_SERVICE_NAME: "gatehouse-eu" },
      emptyDir(),
    ).observability;
    expect(named.tracing?.serviceName).toBe("gatehouse-eu");
    expect(loadConfig({ OTEL_SERVICE_NAME: "gatehouse-eu" }, emptyDir()).observability.tracing).toBeUndefined();
    // Blank counts as unset, as for every variable.
    const blank = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_SERVICE_NAME: " " };
    expect(loadConfig(blank, emptyDir()).observability.tracing?.serviceName).toBe("gatehouse");
  });

  it("turns metrics on with a management port or a scrape token", () => {
    expect(loadConfig({ METRICS_PORT: "9464" }, emptyDir()).observability.metricsEnabled).toBe(true);
    const config = loadConfig({ METRICS_TOKEN: "a-long-enough-token" }, emptyDir()).observability;
    expect(config).toMatchObject({ metricsEnabled: true, metrics: { port: undefined, token: "a-long-enough-token" } });
  });

  it.each([
    [{ METRICS_PORT: "70000" }, "METRICS_PORT must be an integer from 0 to 65535"],
    [{ METRICS_TOKEN: "short" }, "METRICS_TOKEN must be at least 16 characters long"],
    [{ ENABLE_HTTPS: "true" }, "ENABLE_HTTPS is true but TLS_CERT_PATH and TLS_KEY_PATH (or SSL_*) are not set"],
    [{ TLS_CERT_PATH: "cert.pem" }, "TLS_CERT_PATH is set but TLS_KEY_PATH (or SSL_KEY_PATH) is not"],
    [{ TLS_CERT_PATH: "missing.pem", TLS_KEY_PATH: "key.pem" }, "TLS_CERT_PATH names a file that cannot be read"],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" },
      "OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL",
    ],
  ])("refuses %o in one line naming the variable", (env, message) => {
    expect(() => loadConfig(env, withPemFiles())).toThrow(ConfigError);
    expect(() => loadConfig(env, withPemFiles())).toThrow(message);
  });

  it("reads TLS paths relative to the working directory, the SSL_* names as aliases", () => {
    const cwd = withPemFiles();
    const tls = { certPath: join(cwd, "cert.pem"), keyPath: join(cwd, "key.pem") };
    expect(loadConfig({ TLS_CERT_PATH: "cert.pem", TLS_KEY_PATH: "key.pem" }, cwd).observability.tls).toEqual(tls);
    expect(
      loadConfig({ SSL_CERT_PATH: "cert.pem", SSL_KEY_PATH: "key.pem", ENABLE_HTTPS: "true" }, cwd).observability.tls,
    ).toEqual(tls);
    expect(
      loadConfig({ SSL_CERT_PATH: "cert.pem", SSL_KEY_PATH: "key.pem", ENABLE_HTTPS: "false" }, cwd).observability.tls,
    ).toBeUndefined();
  });
});
