import { createInterface } from "node:readline";
import { Writable } from "node:stream";

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
  return new Promise((resolve) => {
    rl.question(prompt, (answer) => {
      rl.close();
      process.stderr.write("\n");
      resolve(answer);
    });
    muted = true;
  });
}
