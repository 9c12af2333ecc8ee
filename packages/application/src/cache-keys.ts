/** Cache keys and lifetimes of PRD §4.10 / appendix C, in one place for every use case. */
export const CacheKeys = {
  permissions: (userId: string) => `permissions:${userId}`,
  user: (userId: string) => `user:${userId}`,
  session: (userId: string) => `session:${userId}`,
  rolesAll: "roles:all",
  permissionsAll: "permissions:all",
} as const;

export const CacheTtlSeconds = {
  permissions: 15 * 60,
  user: 5 * 60,
  session: 15 * 60,
  rolesAll: 10 * 60,
  permissionsAll: 30 * 60,
} as const;
