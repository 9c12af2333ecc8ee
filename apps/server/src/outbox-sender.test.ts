import { createLogger, loggerOptions } from "@gatehouse/infrastructure";
import { describe, expect, it, vi } from "vitest";
import { startOutboxSender } from "./outbox-sender.js";

describe("startOutboxSender", () => {
  // Regression: a failed round logged "mail outbox round failed (object non-Error thrown)": the
  // error was serialised before the logger's own serializer ran, which then saw a plain object.
  it("logs a failed round's cause once, as the logger's serializer renders an Error", async () => {
    const settings = { level: "error", pretty: false };
    const logger = createLogger({ ...settings, level: "silent" });
    const logged = vi.spyOn(logger, "error");
    const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    const sender = startOutboxSender({
      deliver: async () => {
        throw cause;
      },
      intervalMs: 60_000,
      batchSize: 10,
      logger,
    });
    await vi.waitFor(() => expect(logged).toHaveBeenCalled());
    await sender.stop();

    const [fields, message] = logged.mock.calls[0] as unknown as [{ err: unknown }, string];
    expect(message).toBe("mail outbox round failed");
    const serialize = loggerOptions(settings).serializers?.err;
    expect(serialize?.(fields.err)).toMatchObject({
      type: "Error",
      message: "connect ECONNREFUSED 127.0.0.1:5432",
      code: "ECONNREFUSED",
    });
  });
});
