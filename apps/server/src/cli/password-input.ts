import { readFileSync } from "node:fs";
import { readSecretLine } from "../secret-prompt.js";
import { UsageError } from "./command.js";

/** The first line of a file or stream, without its line ending: `echo pw > f` adds one. */
function firstLine(text: string): string {
  return text.replace(/\r?\n[\s\S]*$/, "");
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * A new password from `--password-file`, else from standard input when it is not a terminal,
 * else from a prompt (typed twice, not echoed). Never from an argument: argv is visible to every
 * user of the machine (`ps`) and lands in the shell history.
 */
export async function readNewPassword(passwordFile: string | undefined): Promise<string> {
  if (passwordFile !== undefined) return firstLine(readFileSync(passwordFile, "utf8"));
  if (!process.stdin.isTTY) return firstLine(await readStdin());
  const password = await readSecretLine("Password: ");
  if ((await readSecretLine("Repeat password: ")) !== password) throw new UsageError("the passwords do not match");
  return password;
}
