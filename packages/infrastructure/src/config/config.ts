/** Everything Gatehouse reads from its environment, validated and typed. */
export interface Config {
  readonly appName: string;
  readonly appEnv: string;
  readonly production: boolean;
  readonly appVersion: string;
  readonly host: string;
  readonly port: number;
  readonly database:
    | { readonly kind: "postgres"; readonly url: string; readonly maxConnections: number }
    | { readonly kind: "pglite"; readonly dataDir: string };
  readonly dataDir: string;
  readonly autoMigrate: boolean;
  readonly jwt: {
    /** Undefined when not configured; the server then generates and keeps one in development. */
    readonly secret: string | undefined;
    readonly issuer: string;
    readonly audience: string;
    readonly accessTokenTtlSeconds: number;
    readonly refreshTokenTtlSeconds: number;
    readonly clockToleranceSeconds: number;
  };
  readonly refreshReuseGraceSeconds: number;
  readonly passwordMinLength: number;
  readonly argon2MaxConcurrency: number;
  readonly refreshTokenRetentionDays: number;
  readonly auditLogRetentionDays: number;
  readonly cleanupBatchSize: number;
  readonly healthCheckTimeoutMs: number;
  readonly shutdownTimeoutSeconds: number;
  readonly bodyLimitBytes: number;
  readonly corsAllowedOrigins: readonly string[];
  readonly logLevel: string;
  readonly logPretty: boolean;
}
