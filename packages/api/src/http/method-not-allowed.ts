import type { RouteOptions } from "fastify";

/**
 * Remembers which methods each path pattern serves, so an unknown method on a known path can
 * answer 405 with an `Allow` header instead of 404.
 */
export class RouteIndex {
  private readonly routes: Array<{ pattern: RegExp; methods: Set<string> }> = [];

  add(route: RouteOptions): void {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const source = `^${route.url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z0-9_]+/g, "[^/]+")}/?$`;
    const existing = this.routes.find((entry) => entry.pattern.source === source);
    if (existing) for (const method of methods) existing.methods.add(method);
    else this.routes.push({ pattern: new RegExp(source), methods: new Set(methods) });
  }

  /** The methods allowed on `path`, or undefined when no route matches it at all. */
  allowed(path: string): string[] | undefined {
    const methods = new Set<string>();
    for (const entry of this.routes) if (entry.pattern.test(path)) for (const m of entry.methods) methods.add(m);
    return methods.size > 0 ? [...methods].sort() : undefined;
  }
}
