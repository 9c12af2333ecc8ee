import websocket from "@fastify/websocket";
import { ChatCloseCodes } from "@gatehouse/domain";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { WebSocket } from "ws";
import type { ChatUseCases } from "../../app-deps.js";
import { ChatSocket } from "./chat-socket.js";

/** The socket's path, and the two paths older clients use. */
export const CHAT_SOCKET_PATHS = ["/api/v1/chat/ws", "/api/chat/ws", "/api/ws/chat"] as const;

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

type TokenSource = { readonly token: string | undefined } | { readonly refused: string };

/** A token on the upgrade request: the Authorization header, or `?token=` when allowed. */
function upgradeToken(request: FastifyRequest, allowQueryToken: boolean): TokenSource {
  const header = request.headers.authorization;
  if (header !== undefined && header !== "") {
    const match = BEARER.exec(header);
    return match?.[1] ? { token: match[1] } : { refused: "malformed authorization header" };
  }
  const query = request.query as Record<string, unknown> | undefined;
  const token = query?.token;
  if (token === undefined) return { token: undefined };
  if (!allowQueryToken) return { refused: "tokens in the URL are not accepted" };
  return typeof token === "string" && token !== "" ? { token } : { refused: "malformed token" };
}

/**
 * The chat WebSocket (README "Chat"): one `ChatSocket` per connection, a heartbeat for all of
 * them, and close 1001 for every socket when the app closes (graceful shutdown), so clients
 * reconnect to another node.
 */
export async function chatSocketRoutes(
  app: FastifyInstance,
  options: { readonly chat: ChatUseCases; readonly isShuttingDown: () => boolean },
): Promise<void> {
  const { chat } = options;
  const sockets = new Set<ChatSocket>();
  let closing = false;
  const shuttingDown = () => closing || options.isShuttingDown();

  await app.register(websocket, {
    // Never compressed: the fan-out writes frames beside `ws` (chat-wire.ts), which needs `ws` to write synchronously.
    options: { maxPayload: chat.limits.maxFrameBytes, perMessageDeflate: false },
    preClose(done) {
      closing = true;
      for (const socket of sockets) socket.close(ChatCloseCodes.goingAway, "server shutting down");
      for (const client of this.websocketServer.clients) client.close(ChatCloseCodes.goingAway, "server shutting down");
      this.websocketServer.close(() => done());
    },
  });

  const heartbeat = setInterval(() => {
    for (const socket of sockets) {
      if (socket.missedPongs >= 2) socket.close(ChatCloseCodes.goingAway, "no pong");
      else socket.ping();
    }
  }, chat.limits.heartbeatMs);
  heartbeat.unref();
  app.addHook("onClose", async () => clearInterval(heartbeat));
  // After preClose closed the sockets and before the server closes Redis: this node's entries
  // leave the presence board now rather than when their lease runs out.
  app.addHook("onClose", async () => chat.presence.stop());

  const accept = (socket: WebSocket, request: FastifyRequest) => {
    const session = new ChatSocket(socket, request.socket, chat, request.log, shuttingDown);
    sockets.add(session);
    socket.on("close", () => sockets.delete(session));
    const source = upgradeToken(request, chat.allowQueryToken);
    if ("refused" in source) {
      session.close(ChatCloseCodes.unauthorized, source.refused);
      return;
    }
    session.start(source.token);
  };

  for (const url of CHAT_SOCKET_PATHS) {
    app.get(
      url,
      {
        websocket: true,
        // Opening a socket spends the caller's address's API budget on every path alike (a reconnect storm is limited).
        config: { rateLimit: "api" },
        // OpenAPI 3.0 cannot describe a WebSocket; README "Chat" documents the protocol.
        schema: { hide: true },
      },
      accept,
    );
  }
}
