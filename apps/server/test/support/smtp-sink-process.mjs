// A mail sink in a process of its own, so a fault test can freeze it for real (SIGSTOP: the
// kernel still accepts connections, nobody answers) and thaw it (SIGCONT). Plain JavaScript
// because the test starts it with `node` alone. Usage: node smtp-sink-process.mjs <port>.
// Prints "listening" once bound, then one JSON line per accepted message: {"to":[addresses]}.
import { SMTPServer } from "smtp-server";

const port = Number(process.argv[2]);
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  closeTimeout: 50,
  onData(stream, session, callback) {
    stream.resume();
    stream.on("end", () => {
      const to = session.envelope.rcptTo.map((recipient) => recipient.address.toLowerCase());
      process.stdout.write(`${JSON.stringify({ to })}\n`);
      callback();
    });
  },
});
server.listen(port, "127.0.0.1", () => process.stdout.write("listening\n"));
process.once("SIGTERM", () => server.close(() => process.exit(0)));
