export type {
  AccountUseCases,
  AdminUseCases,
  ApiUseCases,
  AppOptions,
  AuthUseCases,
  DevMailboxReader,
  DevMailView,
  RbacUseCases,
  RecoveryUseCases,
  RegistrationUseCases,
  ResponseFloors,
} from "./app-deps.js";
export { buildApp, type GatehouseApp, OPENAPI_PATH, SWAGGER_UI_PATH } from "./build-app.js";
