import type { ChatRepository } from "@gatehouse/domain";
import { type CleanupTask, deleteInBatches } from "../maintenance/run-cleanup.js";

const DAY_MS = 86_400_000;

/** Deletes chat messages older than `retentionDays` (0 = keep them), in batches. */
export function makeChatRetentionTask(deps: {
  readonly chat: Pick<ChatRepository, "deleteMessagesBefore">;
  readonly retentionDays: number;
  readonly batchSize: number;
}): CleanupTask {
  return {
    async run(now) {
      if (deps.retentionDays === 0) return { chat_messages_deleted: 0 };
      const cutoff = new Date(now.getTime() - deps.retentionDays * DAY_MS);
      const deleted = await deleteInBatches(
        () => deps.chat.deleteMessagesBefore(cutoff, deps.batchSize),
        deps.batchSize,
      );
      return { chat_messages_deleted: deleted };
    },
  };
}
