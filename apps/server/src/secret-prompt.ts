import { createInterface } from "node:readline";
import { Writable } from "node:stream";

/**
 * The operator pressed Ctrl-C (or closed the terminal) at a prompt. readline swallows the
 * SIGINT of a raw-mode terminal, so without this the CLI would fall through and exit 0.
 */
export class PromptInterruptedError extends Error {
  constructor() {
    super("interrupted");
  }
}

/**
 * Reads one line from the terminal without echoing it: readline writes through an output
 * that shows the prompt and swallows everything typed after it.
 */
export function readSecretLine(prompt: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve, reject) => {
    let answered = false;
    rl.on("SIGINT", () => rl.close());
    rl.on("close", () => {
      if (answered) return;
      process.stderr.write("\n");
      reject(new PromptInterruptedError());
    });
    rl.question(prompt, (answer) => {
      answered = true;
      rl.close();
      process.stderr.write("\n");
      resolve(answer);
    });
    muted = true;
  });
}
