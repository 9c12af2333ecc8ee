import { once } from "node:events";
import { createServer, request } from "node:http";
import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { combineQueryObservers, type QueryObserver } from "./db-query-metrics.js";
import { activeTraceFields, makeQuerySpans, TRACER_NAME, tracePort, traceRequests } from "./trace-spans.js";

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
afterAll(() => provider.shutdown());
beforeEach(() => exporter.reset());

const spans = () => exporter.getFinishedSpans();
const spanNamed = (name: string) => {
  const span = spans().find((each) => each.name === name);
  if (span === undefined) throw new Error(`no span ${name}; got ${spans().map((s) => s.name)}`);
  return span;
};
/** Runs `work` inside a parent span and returns that span's id. */
async function underParent(work: () => Promise<unknown>): Promise<string> {
  return trace.getTracer(TRACER_NAME).startActiveSpan("parent", async (parent) => {
    try {
      await work().catch(() => {});
    } finally {
      parent.end();
    }
    return parent.spanContext().spanId;
  });
}

class Directory {
  #secret = "kept private";
  async find(id: string) {
    return `${id}:${this.#secret}`;
  }
  async fail(): Promise<never> {
    throw new TypeError("provider said: token abc123 for ada@example.com");
  }
  name() {
    return this.#secret;
  }
}

describe("tracePort", () => {
  it("runs each listed method in a child span of the active one, on the port itself", async () => {
    const port = tracePort(new Directory(), "keycloak.directory");
    const parentId = await underParent(async () => expect(await port.find("u1")).toBe("u1:kept private"));
    const span = spanNamed("keycloak.directory.find");
    expect(span.parentSpanContext?.spanId).toBe(parentId);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("marks a rejected call as an error with its type only, never its message, and rethrows", async () => {
    const port = tracePort(new Directory(), "idp");
    await expect(port.fail()).rejects.toThrow(TypeError);
    const span = spanNamed("idp.fail");
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes["error.type"]).toBe("TypeError");
    expect(JSON.stringify({ status: span.status, attributes: span.attributes, events: span.events })).not.toMatch(
      /abc123|ada@example/,
    );
  });

  it("traces only the listed methods when given, passing the others through bound", async () => {
    const port = tracePort(new Directory(), "redis", ["find"]);
    expect(port.name()).toBe("kept private");
    const { name } = port;
    expect(name()).toBe("kept private");
    await port.find("x");
    expect(spans().map((s) => s.name)).toEqual(["redis.find"]);
  });

  it("ends the span of a synchronous throw too", () => {
    const port = tracePort(
      {
        boom(): never {
          throw new RangeError("no");
        },
      },
      "smtp",
    );
    expect(() => port.boom()).toThrow(RangeError);
    expect(spanNamed("smtp.boom").status.code).toBe(SpanStatusCode.ERROR);
  });
});

describe("statement spans", () => {
  it("are children of the span active where the statement is issued, named by operation and table", async () => {
    const observer = makeQuerySpans("postgresql");
    const parentId = await underParent(async () => {
      const finish = observer.started('select "id" from "users" where "email" = $1');
      await new Promise((resolve) => setTimeout(resolve, 5));
      finish(0.005, false);
    });
    const span = spanNamed("select users");
    expect(span.parentSpanContext?.spanId).toBe(parentId);
    expect(span.attributes).toEqual({
      "db.system.name": "postgresql",
      "db.operation.name": "select",
      "db.collection.name": "users",
    });
  });

  it("mark failed statements as errors", () => {
    makeQuerySpans("postgresql").started('delete from "sessions"')(0.001, true);
    expect(spanNamed("delete other").status.code).toBe(SpanStatusCode.ERROR);
  });

  it("combine with other observers: each hears start and finish; none or one costs nothing extra", () => {
    const heard: string[] = [];
    const recorder = (tag: string): QueryObserver => ({
      started(text) {
        heard.push(`${tag} start ${text}`);
        return (_seconds, failed) => heard.push(`${tag} end ${failed}`);
      },
    });
    expect(combineQueryObservers([undefined, undefined])).toBeUndefined();
    const one = recorder("a");
    expect(combineQueryObservers([one, undefined])).toBe(one);
    combineQueryObservers([recorder("a"), recorder("b")])?.started("select 1")(0.1, true);
    expect(heard).toEqual(["a start select 1", "b start select 1", "a end true", "b end true"]);
  });
});

describe("log fields", () => {
  it("name the active span, and are empty (a fresh object each time) outside one", async () => {
    expect(activeTraceFields()).toEqual({});
    expect(activeTraceFields()).not.toBe(activeTraceFields());
    await trace.getTracer(TRACER_NAME).startActiveSpan("work", async (span) => {
      expect(activeTraceFields()).toEqual({ trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
      span.end();
    });
  });
});

describe("traceRequests", () => {
  it("wraps each request in a SERVER span under the caller's traceparent, active in body events and after awaits", async () => {
    const seen: Array<string | undefined> = [];
    const server = createServer((req, res) => {
      seen.push(trace.getActiveSpan()?.spanContext().spanId);
      req.on("data", () => seen.push(trace.getActiveSpan()?.spanContext().spanId));
      req.on("end", async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen.push(trace.getActiveSpan()?.spanContext().spanId);
        res.statusCode = 503;
        res.end("{}");
      });
    });
    traceRequests(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as { port: number };
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    await context.with(context.active(), async () => {
      const req = request({
        host: "127.0.0.1",
        port,
        method: "POST",
        headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      });
      req.end("a body");
      const [res] = await once(req, "response");
      res.resume();
      await once(res, "end");
    });
    server.close();
    const deadline = Date.now() + 2000;
    while (spans().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const span = spanNamed("POST");
    expect(span.spanContext().traceId).toBe(traceId);
    expect(span.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
    expect(span.attributes["http.response.status_code"]).toBe(503);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen)).toEqual(new Set([span.spanContext().spanId]));
  });
});
