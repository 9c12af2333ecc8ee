export type { ApiUseCases, AppOptions, RbacUseCases } from "./app-deps.js";
export { buildApp, type GatehouseApp, OPENAPI_PATH, SWAGGER_UI_PATH } from "./build-app.js";
