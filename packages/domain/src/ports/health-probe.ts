/** A dependency that readiness depends on (database, cache, …). */
export interface HealthProbe {
  /** Short name used as the key in health responses, e.g. `database`. */
  readonly name: string;
  /** Resolves when the dependency answers; rejects (or never resolves) when it does not. */
  ping(): Promise<void>;
  /** Extra figures for `/health/details` (pool sizes, memory, …). */
  details?(): Promise<Record<string, unknown>>;
}
