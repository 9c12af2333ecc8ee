import type { MailOutbox } from "@gatehouse/domain";
import type { Database } from "./database.js";
import { mailOutbox } from "./schema.js";

export function makeMailOutbox(db: Database): MailOutbox {
  return {
    async enqueue(mail) {
      await db.insert(mailOutbox).values({ recipient: mail.to, template: mail.template, payload: mail.data });
    },
  };
}
