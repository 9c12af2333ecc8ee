import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import { context, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { classifyCached, type QueryObserver } from "./db-query-metrics.js";

/** The instrumentation scope of every span Gatehouse makes. */
export const TRACER_NAME = "gatehouse";

const tracer = () => trace.getTracer(TRACER_NAME);

/**
 * Marks a failed span without the error's message: driver and adapter messages may carry SQL
 * parameters, addresses or provider answers, and spans leave the process.
 */
function failed(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.setAttribute("error.type", error instanceof Error ? error.name : typeof error);
}

/**
 * `trace_id` and `span_id` of the active span, for every log line (pino's `mixin`). A fresh
 * object each time: pino merges the line's own fields into what the mixin returns.
 */
export function activeTraceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/**
 * A span per statement, child of whatever span is active where the statement is issued (the
 * request's). postgres.js and PGlite have no official instrumentation, so this rides on the
 * driver wrapper that already times statements for the query metrics. The span carries the
 * operation and table, never the statement's text or parameters.
 */
export function makeQuerySpans(system: "postgresql"): QueryObserver {
  return {
    started(text) {
      const { operation, table } = classifyCached(text);
      const span = tracer().startSpan(`${operation} ${table}`, {
        kind: SpanKind.CLIENT,
        attributes: { "db.system.name": system, "db.operation.name": operation, "db.collection.name": table },
      });
      return (_seconds, didFail) => {
        if (didFail) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      };
    },
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/** `original` called inside a span `name`, ended when it returns or its promise settles. */
function spanned(name: string, original: (...args: unknown[]) => unknown, self: object) {
  return (...args: unknown[]) =>
    tracer().startActiveSpan(name, (span) => {
      try {
        const result = original.apply(self, args);
        if (!isThenable(result)) {
          span.end();
          return result;
        }
        return Promise.resolve(result).then(
          (value) => {
            span.end();
            return value;
          },
          (error: unknown) => {
            failed(span, error);
            span.end();
            throw error;
          },
        );
      } catch (error) {
        failed(span, error);
        span.end();
        throw error;
      }
    });
}

/**
 * `port` with its methods run inside spans `{name}.{method}` (children of the active span):
 * the listed `methods`, or every method when none are listed. The one helper the wiring wraps
 * each outgoing port with (password hashing, Redis, SMTP, Keycloak, identity providers).
 * Methods are called on `port` itself, so classes with private fields keep working.
 */
export function tracePort<T extends object>(port: T, name: string, methods?: readonly string[]): T {
  const cache = new Map<PropertyKey, unknown>();
  return new Proxy(port, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      let fn = cache.get(property);
      if (fn === undefined) {
        const traced =
          typeof property === "string" && property !== "constructor" && (methods?.includes(property) ?? true);
        fn = traced
          ? spanned(`${name}.${property}`, value as (...args: unknown[]) => unknown, target)
          : value.bind(target);
        cache.set(property, fn);
      }
      return fn;
    },
  });
}

/**
 * A SERVER span around each request the server handles, child of the caller's W3C
 * `traceparent` when it sent one. The request's listeners run inside the span's context, and
 * the request and response emitters are bound to it, so body parsing, hooks, handlers and the
 * statements they issue all see it. Named `{method}` here; the API names it by route template
 * once routed. Ends when the response closes, with the status code.
 */
export function traceRequests(server: Server): void {
  const listeners = server.listeners("request") as RequestListener[];
  server.removeAllListeners("request");
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const method = request.method ?? "GET";
    const span = tracer().startSpan(
      method,
      { kind: SpanKind.SERVER, attributes: { "http.request.method": method } },
      parent,
    );
    const active = trace.setSpan(parent, span);
    response.once("close", () => {
      span.setAttribute("http.response.status_code", response.statusCode);
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.bind(active, request);
    context.bind(active, response);
    context.with(active, () => {
      for (const listener of listeners) listener.call(server, request, response);
    });
  });
}
