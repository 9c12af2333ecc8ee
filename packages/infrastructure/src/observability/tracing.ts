import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import type { TracingConfig } from "../config/observability-config.js";

/** The SDK as started; `shutdown` exports the spans still buffered, then stops. */
export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK (README "Operations → Tracing"): a Node tracer provider
 * registered globally, with the AsyncLocalStorage context manager and the W3C `traceparent`
 * propagator, batching spans to `{endpoint}/v1/traces` as OTLP/HTTP JSON. Only called when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set: with tracing off no SDK exists and `@opentelemetry/api`
 * answers with its no-op tracer. The SDK's own OTEL_BSP_* and OTEL_EXPORTER_OTLP_HEADERS /
 * _TIMEOUT variables still apply.
 */
export function startTracing(config: TracingConfig, serviceVersion: string): Tracing {
  const exporter = new OTLPTraceExporter({ url: `${config.endpoint}/v1/traces` });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": config.serviceName, "service.version": serviceVersion }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return { shutdown: () => provider.shutdown() };
}
