import { readFile } from "node:fs/promises";
import { cpus, freemem, hostname, release, totalmem, type } from "node:os";
import type { HostInfo, SystemInfo } from "@gatehouse/domain";

interface CpuMark {
  readonly at: number;
  readonly idle: number;
  readonly total: number;
}

function cpuMark(): CpuMark {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const { user, nice, sys, irq, idle: idleTime } = cpu.times;
    idle += idleTime;
    total += user + nice + sys + irq + idleTime;
  }
  return { at: performance.now(), idle, total };
}

function percentBetween(from: CpuMark, to: CpuMark): number {
  const total = to.total - from.total;
  if (total <= 0) return 0;
  return Math.round((1 - (to.idle - from.idle) / total) * 1000) / 10;
}

/** `/proc/meminfo` fields in bytes; empty where the file does not exist (not Linux). */
async function memInfo(): Promise<Record<string, number>> {
  const text = await readFile("/proc/meminfo", "utf8").catch(() => "");
  const fields: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const match = /^(\w+):\s+(\d+) kB$/.exec(line.trim());
    if (match) fields[match[1] as string] = Number(match[2]) * 1024;
  }
  return fields;
}

/** NAME and VERSION_ID of `/etc/os-release`; the kernel's name and release elsewhere. */
async function osRelease(): Promise<{ name: string; version: string }> {
  const text = await readFile("/etc/os-release", "utf8").catch(() => "");
  const field = (key: string) => new RegExp(`^${key}="?([^"\\n]*)"?$`, "m").exec(text)?.[1];
  return { name: field("NAME") ?? type(), version: field("VERSION_ID") ?? release() };
}

export interface HostInfoOptions {
  /** How long a fresh CPU measurement takes; default 250 ms. */
  readonly cpuIntervalMs?: number;
  /** A previous sample younger than this (and at least the interval old) is measured against; default 60 s. */
  readonly reuseWithinMs?: number;
}

/**
 * Host figures from `node:os` and, on Linux, `/proc/meminfo` (available memory, swap) and
 * `/etc/os-release`. CPU use is the share of non-idle time over an interval: since the previous
 * sample when that is recent, otherwise over a fresh `cpuIntervalMs` wait.
 */
export function makeHostInfo(options: HostInfoOptions = {}): HostInfo {
  const intervalMs = options.cpuIntervalMs ?? 250;
  const reuseWithinMs = options.reuseWithinMs ?? 60_000;
  let previous: CpuMark | undefined;
  const distribution = osRelease();
  async function cpuUsage(): Promise<number> {
    let from = previous;
    const age = from === undefined ? Number.POSITIVE_INFINITY : performance.now() - from.at;
    if (from === undefined || age < intervalMs || age > reuseWithinMs) {
      from = cpuMark();
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    const to = cpuMark();
    previous = to;
    return percentBetween(from, to);
  }
  return {
    async sample(): Promise<SystemInfo> {
      const [cpu, mem, os] = await Promise.all([cpuUsage(), memInfo(), distribution]);
      const total = totalmem();
      const used = total - (mem.MemAvailable ?? freemem());
      const totalSwap = mem.SwapTotal ?? 0;
      return {
        cpu_usage: cpu,
        total_memory: total,
        used_memory: used,
        memory_usage_percent: Math.round((used / total) * 1000) / 10,
        total_swap: totalSwap,
        used_swap: totalSwap - (mem.SwapFree ?? 0),
        hostname: hostname(),
        os_name: os.name,
        os_version: os.version,
        kernel_version: release(),
      };
    },
  };
}
