import { describe, expect, it } from "vitest";
import { qrCodes } from "./qr-codes.js";

describe("QR codes", () => {
  it("renders an SVG data URL", async () => {
    const url = await qrCodes.svgDataUrl("otpauth://totp/Gatehouse:a?secret=ABC");
    expect(url.startsWith("data:image/svg+xml;base64,")).toBe(true);
    expect(Buffer.from(url.split(",")[1] ?? "", "base64").toString("utf8")).toContain("<svg");
  });
});
