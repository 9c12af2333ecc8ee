import { type Config, tracePort } from "@gatehouse/infrastructure";

/**
 * `port` with its methods (the listed ones, or all) in spans named `{name}.{method}` when
 * tracing is on (README "Operations → Tracing"); `port` itself when it is off, so an untraced
 * server calls its adapters directly.
 */
export function traced<T extends object>(
  config: Pick<Config, "observability">,
  port: T,
  name: string,
  methods?: ReadonlyArray<keyof T & string>,
): T {
  return config.observability.tracing === undefined ? port : tracePort(port, name, methods);
}
