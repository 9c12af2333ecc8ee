/** The host's figures as `/health` shows them to holders of `system:read` (field names as served). */
export interface SystemInfo {
  /** Whole-host CPU use in percent, measured over an interval (not one instant). */
  readonly cpu_usage: number;
  readonly total_memory: number;
  /** Total minus what the kernel reports available, in bytes. */
  readonly used_memory: number;
  readonly memory_usage_percent: number;
  readonly total_swap: number;
  readonly used_swap: number;
  readonly hostname: string;
  readonly os_name: string;
  readonly os_version: string;
  readonly kernel_version: string;
}

/** Reads the host the server runs on. */
export interface HostInfo {
  sample(): Promise<SystemInfo>;
}
