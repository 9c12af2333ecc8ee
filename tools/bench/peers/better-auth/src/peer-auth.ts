import { DEFAULT_ARGON2_OPTIONS } from "@gatehouse/infrastructure";
import { hash, verify } from "@node-rs/argon2";
import { betterAuth } from "better-auth";
import { bearer } from "better-auth/plugins/bearer";
import pg from "pg";

export interface PeerOptions {
  /** PostgreSQL database of the peer alone (the bench creates and drops a private gh_bench_* one). */
  readonly databaseUrl: string;
  /** Where the peer listens; Better Auth refuses a POST whose Origin is not this. */
  readonly baseUrl: string;
  readonly secret: string;
  /** pg pool size; the same as Gatehouse's DATABASE_POOL_MAX default keeps the comparison fair. */
  readonly poolMax: number;
}

/**
 * Better Auth configured like the Gatehouse server it is compared with: email and password,
 * bearer tokens (the `bearer` plugin turns `Authorization: Bearer <session token>` into a
 * session), argon2id with Gatehouse's own parameters through the same binding
 * (@node-rs/argon2), and no rate limiting (every bench client comes from 127.0.0.1).
 * Hashes run straight on libuv's pool with no concurrency gate: that is Better Auth's default
 * shape, and the figure the bench compares against.
 */
export function makePeerAuth(options: PeerOptions) {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolMax });
  const auth = betterAuth({
    database: pool,
    baseURL: options.baseUrl,
    secret: options.secret,
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    emailAndPassword: {
      enabled: true,
      password: {
        hash: (password) => hash(password, DEFAULT_ARGON2_OPTIONS),
        verify: ({ hash: stored, password }) => verify(stored, password),
      },
    },
    plugins: [bearer()],
  });
  return { auth, pool };
}
