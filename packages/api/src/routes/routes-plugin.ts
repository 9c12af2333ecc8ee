import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { AppOptions } from "../app-deps.js";

/** Every route module is a Fastify plugin given the application's options. */
export type RoutesPlugin = FastifyPluginAsyncTypebox<{ options: AppOptions }>;

/** The `security` of an operation that needs a bearer token. */
export const bearer = [{ bearerAuth: [] }];
