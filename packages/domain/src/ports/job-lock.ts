/** A cluster-wide lock so one job never runs twice at once. */
export interface JobLock {
  /**
   * Runs `work` while holding the lock named `name`. Resolves `{ acquired: false }` at once,
   * without running `work`, when another holder has it.
   */
  tryRun<T>(name: string, work: () => Promise<T>): Promise<{ acquired: true; result: T } | { acquired: false }>;
}
