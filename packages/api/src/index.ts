export type { ApiUseCases, AppOptions, ChatUseCases, RbacUseCases } from "./app-deps.js";
export { buildApp, type GatehouseApp, OPENAPI_PATH, SWAGGER_UI_PATH } from "./build-app.js";
export { statusByCode } from "./http/status-by-code.js";
export { CHAT_SOCKET_PATHS } from "./routes/chat/chat-socket-routes.js";
