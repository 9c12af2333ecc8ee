import "./http/fastify-augment.js";
import { randomUUID } from "node:crypto";
import cors from "@fastify/cors";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from "fastify";
import type { AppOptions, PagesOptions, PageUseCases } from "./app-deps.js";
import { pathOf, registerAccessLog } from "./http/access-log.js";
import { makeAssuranceHook } from "./http/assurance-hook.js";
import { makeAuthHook } from "./http/auth-hook.js";
import { componentSchemas } from "./http/component-docs.js";
import { handleError, sendError } from "./http/error-handler.js";
import { RouteIndex } from "./http/method-not-allowed.js";
import { refuseNulBytes } from "./http/nul-bytes.js";
import { operationDocs } from "./http/operation-docs.js";
import { makePermissionHook } from "./http/permission-hook.js";
import { registerRateLimit } from "./http/rate-limit-hook.js";
import { requestIdFor } from "./http/request-id.js";
import { nameRequestSpan } from "./http/request-span.js";
import { SECURITY_HEADERS } from "./http/security-headers.js";
import { makePageSessionHook, pageCookies } from "./pages/page-session-cookie.js";
import { pagesPlugin } from "./pages/pages-plugin.js";
import { adminRoutes } from "./routes/admin/index.js";
import { authRoutes } from "./routes/auth/index.js";
import { chatRestRoutes } from "./routes/chat/chat-rest-routes.js";
import { chatSocketRoutes } from "./routes/chat/chat-socket-routes.js";
import { devRoutes } from "./routes/dev.js";
import { healthRoutes } from "./routes/health.js";
import { hostHealthRoutes } from "./routes/host-health.js";
import { meRoutes } from "./routes/me.js";
import { identityRoutes } from "./routes/me-identities.js";
import { meMfaRoutes } from "./routes/me-mfa.js";
import { metricsRoutes } from "./routes/metrics.js";
import { registerRoutes } from "./routes/register.js";
import { wellKnownRoutes } from "./routes/well-known.js";
import { COMPONENT_SCHEMAS } from "./schemas/components.js";
import { ErrorBody } from "./schemas/envelope.js";

/** The built application: a Fastify instance. */
export type GatehouseApp = FastifyInstance;

export const OPENAPI_PATH = "/openapi.json";
export const SWAGGER_UI_PATH = "/swagger-ui";

/** The CSP without its `upgrade-insecure-requests` directive. */
function withoutUpgradeInsecureRequests(csp: string): string {
  return csp
    .split(";")
    .map((directive) => directive.trim())
    .filter((directive) => directive !== "" && directive !== "upgrade-insecure-requests")
    .join("; ")
    .concat(";");
}

async function registerDocs(app: FastifyInstance, options: AppOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Gatehouse API",
        version: options.version,
        license: { name: "MIT", url: "https://spdx.org/licenses/MIT.html" },
        description:
          "Authentication and user management. Every response uses the envelope " +
          "`{ success, data, message }`; every error `{ success: false, error: { code, message, details, request_id } }`.",
      },
      // Relative: the document is served by the server it describes, on whatever address it has.
      servers: [{ url: "/", description: "The server serving this document" }],
      tags: [
        { name: "auth", description: "Registration, login, token refresh, logout, current user" },
        { name: "users", description: "The signed-in user's own account and profile" },
        { name: "sessions", description: "The signed-in user's sessions" },
        { name: "registration", description: "Email verification, resend, address availability" },
        { name: "account recovery", description: "Forgotten password: request a code, set a new password" },
        { name: "health", description: "Liveness, readiness and details" },
        { name: "dev", description: "Development helpers, never served in production" },
        { name: "admin: audit", description: "The audit log" },
        { name: "admin: users", description: "User administration (each operation names its permission)" },
        { name: "admin: roles", description: "Roles and the permissions they grant" },
        { name: "admin: permissions", description: "The permission catalogue" },
        { name: "chat", description: "Chat rooms, members, history and the chat WebSocket" },
        { name: "well-known", description: "The public keys and issuer metadata that verify access tokens" },
      ],
      components: {
        securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
        schemas: componentSchemas(COMPONENT_SCHEMAS),
      },
    },
    transform: operationDocs,
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  // The plugin's static CSP ends in `upgrade-insecure-requests`: over plain HTTP on any host
  // but localhost the browser then fetches the UI's scripts over HTTPS and the page stays blank.
  // Keep the directive only when this server itself speaks TLS.
  const tls = Boolean(app.initialConfig.https);
  await app.register(swaggerUi, {
    routePrefix: SWAGGER_UI_PATH,
    staticCSP: true,
    transformStaticCSP: (csp) => (tls ? csp : withoutUpgradeInsecureRequests(csp)),
  });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
}

/** The security headers as raw header lines, for the answer written to the socket itself. */
const RAW_SECURITY_HEADERS = Object.entries(SECURITY_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join("");

/** TRUST_PROXY as Fastify takes it; a hop count trusts that many hops nearest the server. */
function fastifyTrustProxy(trust: AppOptions["trustProxy"]) {
  if (typeof trust === "number") return (_address: string, hop: number) => hop < trust;
  return trust === false ? false : [...trust];
}

function createFastify(options: AppOptions) {
  // The HTTPS server is typed apart from the HTTP one, but routes, hooks and `inject` are the
  // same; the app is handled as the HTTP kind everywhere.
  const https = options.https === undefined ? {} : ({ https: { ...options.https } } as object);
  return Fastify({
    ...https,
    loggerInstance: options.logger,
    // One line per request comes from our onResponse hook instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdFor,
    bodyLimit: options.bodyLimitBytes,
    trustProxy: fastifyTrustProxy(options.trustProxy),
    // While draining, requests still arriving on open connections are served normally, so
    // readiness can answer its enveloped 503 `not_ready` instead of Fastify's bare 503.
    return503OnClosing: false,
    // No coercion: ["bob"] is not a username and "false" is not a boolean; a 400 says so.
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: false, useDefaults: true } },
    // Errors raised before routing (a malformed URL) get the envelope like every other error.
    frameworkErrors: (error, request, reply) =>
      sendError(request, stampResponse(request, reply), {
        code: "VALIDATION_ERROR",
        message: error.code === "FST_ERR_BAD_URL" ? "Malformed request URL" : "Malformed request",
      }),
    // A request too broken to parse never reaches Fastify; answer it in the envelope too.
    clientErrorHandler: (_error, socket) => {
      if (!socket.writable) return;
      const body = JSON.stringify({
        success: false,
        error: { code: "VALIDATION_ERROR", message: "Malformed HTTP request", request_id: randomUUID() },
      });
      socket.end(
        `HTTP/1.1 400 Bad Request\r\n${RAW_SECURITY_HEADERS}Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
}

/** Headers every response carries; set before routing, or by frameworkErrors when routing failed. */
function stampResponse(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.headers(SECURITY_HEADERS).header("x-request-id", request.id);
}

/** The hosted pages' use cases and branding; undefined when either is absent (no pages served). */
function hostedPages(options: AppOptions): { useCases: PageUseCases; brand: PagesOptions } | undefined {
  const { pages } = options.useCases;
  return pages === undefined || options.pages === undefined ? undefined : { useCases: pages, brand: options.pages };
}

/** Request id, security headers, authentication, rate limits, and one access-log line per request. */
function registerRequestHooks(app: FastifyInstance, options: AppOptions): void {
  app.decorateRequest("auth", null);
  app.decorateRequest("access", null);
  app.decorateRequest("pageSession", null);
  app.decorateRequest("startedAt", null as unknown as Date);
  if (options.tracing) app.addHook("onRequest", nameRequestSpan);
  app.addHook("onRequest", async (request, reply) => {
    request.startedAt = new Date();
    stampResponse(request, reply);
    request.log.debug({ method: request.method, url: pathOf(request.url) }, "request received");
  });
  const { auth, rateLimit } = options.useCases;
  app.addHook("onRequest", makeAuthHook(auth.authenticate));
  const pages = hostedPages(options);
  // A page's cookie names its user as a bearer token names the API's: resolved before the limiter.
  if (pages !== undefined)
    app.addHook("onRequest", makePageSessionHook(pageCookies(options, pages.brand), pages.useCases.resolvePageSession));
  registerRateLimit(app, rateLimit.checkRateLimit, pathOf);
  app.addHook("onRequest", makePermissionHook(auth.authorize));
  app.addHook("onRequest", makeAssuranceHook(options.useCases.mfa?.requireAssurance));
  app.addHook("preValidation", refuseNulBytes);
  registerAccessLog(app, options.logger, options.telemetry);
}

/** Unknown routes: 405 with `Allow` when the path exists under other methods, else 404. */
function registerNotFound(app: FastifyInstance, routes: RouteIndex): void {
  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request.url);
    const allowed = routes.allowed(path);
    if (allowed && !allowed.includes(request.method)) {
      reply.header("allow", allowed.join(", "));
      return sendError(request, reply, {
        code: "METHOD_NOT_ALLOWED",
        message: `Method ${request.method} is not allowed on ${path}`,
      });
    }
    return sendError(request, reply, {
      code: "NOT_FOUND",
      message: `No route for ${request.method} ${path}`,
    });
  });
}

/**
 * Remembers every route for 405 answers and for `app.routeTable` (the OpenAPI test and the
 * permission matrix read it, with each route's declared permission).
 */
function indexRoutes(app: FastifyInstance): RouteIndex {
  const routes = new RouteIndex();
  const routeTable: Array<{ method: string; url: string; permission: string | undefined; auth: boolean }> = [];
  app.decorate("routeTable", routeTable);
  app.addHook("onRoute", (route) => {
    routes.add(route);
    const permission = route.config?.permission;
    const auth = route.config?.auth === true || permission !== undefined;
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url, permission, auth });
  });
  return routes;
}

/**
 * The Gatehouse HTTP application, ready for `inject()` or `listen()`. It holds no adapters:
 * everything it does goes through the use cases in `options`.
 */
export async function buildApp(options: AppOptions): Promise<GatehouseApp> {
  const app = createFastify(options);
  // A JSON API: anything but application/json bodies is 415, not a string to validate.
  app.removeContentTypeParser("text/plain");
  const routes = indexRoutes(app);
  app.addSchema(ErrorBody);
  registerRequestHooks(app, options);
  app.setErrorHandler(handleError);
  registerNotFound(app, routes);

  await app.register(cors, {
    origin: options.corsAllowedOrigins.includes("*") ? true : [...options.corsAllowedOrigins],
    methods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    // X-Device-Token: an API client on another origin presents its device token (README "Lockout").
    allowedHeaders: ["Content-Type", "Authorization", "X-Request-Id", "X-Device-Token"],
    exposedHeaders: ["X-Request-Id", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"],
    maxAge: 3600,
  });
  await registerDocs(app, options);
  // One plugin per URL prefix; each folder or file under routes/ is named after its prefix.
  for (const routes of [
    registerRoutes,
    authRoutes,
    meRoutes,
    identityRoutes,
    meMfaRoutes,
    healthRoutes,
    devRoutes,
    adminRoutes,
    hostHealthRoutes,
    wellKnownRoutes,
  ]) {
    await app.register(routes, { options });
  }
  const { chat } = options.useCases;
  if (chat) {
    await app.register(chatRestRoutes, { chat });
    await app.register(chatSocketRoutes, { chat, isShuttingDown: options.isShuttingDown });
  }
  if (options.metricsEndpoint) await app.register(metricsRoutes, { metrics: options.metricsEndpoint });
  const pages = hostedPages(options);
  if (pages !== undefined) await app.register(pagesPlugin, { options, brand: pages.brand });
  return app;
}
