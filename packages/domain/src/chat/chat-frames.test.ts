import { describe, expect, it } from "vitest";
import { isMessageId, parseClientFrame } from "./chat-frames.js";

describe("parseClientFrame", () => {
  it("reads the four client frames, ignoring a user_id", () => {
    expect(parseClientFrame('{"type":"authorization","token":"t"}')).toEqual({
      ok: true,
      frame: { type: "authorization", token: "t" },
    });
    expect(parseClientFrame('{"type":"connect","room_id":"general","user_id":"someone-else"}')).toEqual({
      ok: true,
      frame: { type: "connect", roomId: "general", lastMessageId: undefined },
    });
    expect(parseClientFrame('{"type":"connect","room_id":"general","last_message_id":42}')).toMatchObject({
      frame: { lastMessageId: "42" },
    });
    expect(parseClientFrame('{"type":"message","room_id":"general","content":"hi"}')).toEqual({
      ok: true,
      frame: { type: "message", roomId: "general", content: "hi" },
    });
    expect(parseClientFrame('{"type":"disconnect","room_id":"general"}')).toEqual({
      ok: true,
      frame: { type: "disconnect", roomId: "general" },
    });
  });

  it("names what is wrong with a frame", () => {
    expect(parseClientFrame("{oops")).toMatchObject({ ok: false, code: "INVALID_FRAME" });
    expect(parseClientFrame("[1]")).toMatchObject({ ok: false, code: "INVALID_FRAME" });
    expect(parseClientFrame('{"type":"dance"}')).toMatchObject({ ok: false, code: "UNKNOWN_FRAME_TYPE" });
    expect(parseClientFrame("{}")).toMatchObject({ ok: false, code: "UNKNOWN_FRAME_TYPE" });
    expect(parseClientFrame('{"type":"authorization"}')).toMatchObject({ ok: false, code: "VALIDATION_ERROR" });
    expect(parseClientFrame('{"type":"message","content":"x"}')).toMatchObject({ code: "VALIDATION_ERROR" });
    expect(parseClientFrame('{"type":"message","room_id":"general","content":5}')).toMatchObject({
      code: "VALIDATION_ERROR",
    });
    expect(parseClientFrame('{"type":"connect","room_id":"g","last_message_id":"-1"}')).toMatchObject({
      code: "VALIDATION_ERROR",
    });
  });

  it("NUL-byte injection: a NUL in a frame's content or room is refused before it reaches the database", () => {
    expect(parseClientFrame('{"type":"message","room_id":"general","content":"a\\u0000b"}')).toMatchObject({
      ok: false,
      code: "VALIDATION_ERROR",
    });
    expect(parseClientFrame('{"type":"connect","room_id":"gen\\u0000"}')).toMatchObject({ code: "VALIDATION_ERROR" });
    expect(parseClientFrame('{"type":"message","room_id":"general","content":"a\\\\u0000b"}')).toMatchObject({
      ok: true,
    });
  });

  it("accepts message ids up to the bigint range only", () => {
    expect(isMessageId("1")).toBe(true);
    expect(isMessageId("9223372036854775807")).toBe(true);
    expect(isMessageId("9223372036854775808")).toBe(false);
    expect(isMessageId("0")).toBe(false);
    expect(isMessageId("01")).toBe(false);
  });
});
