export type {
  AccountUseCases,
  AdminUseCases,
  ApiUseCases,
  AppOptions,
  AuthUseCases,
  ChatUseCases,
  DevMailboxReader,
  DevMailView,
  FederationUseCases,
  IdentityUseCases,
  MetricsExposition,
  MfaUseCases,
  PagesOptions,
  PageUseCases,
  PasskeyLoginUseCases,
  RbacUseCases,
  RecoveryUseCases,
  RegistrationUseCases,
  ResponseFloors,
  TokenKeysView,
} from "./app-deps.js";
export { buildApp, type GatehouseApp, OPENAPI_PATH, SWAGGER_UI_PATH } from "./build-app.js";
export { UNMATCHED_ROUTE } from "./http/access-log.js";
export { type OpenApiDocument, openApiDocument } from "./openapi-document.js";
export { isHostedPageRoute } from "./pages/pages-plugin.js";
export { CHAT_SOCKET_PATHS } from "./routes/chat/chat-socket-routes.js";
