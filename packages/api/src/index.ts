export type { ApiUseCases, AppOptions, MetricsExposition, RbacUseCases } from "./app-deps.js";
export { buildApp, type GatehouseApp, OPENAPI_PATH, SWAGGER_UI_PATH, UNMATCHED_ROUTE } from "./build-app.js";
export { statusByCode } from "./http/status-by-code.js";
