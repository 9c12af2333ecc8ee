import type { QrCodes } from "@gatehouse/domain";
import QRCode from "qrcode";

/** QR codes through `qrcode` (pure JavaScript: its SVG renderer needs no canvas). */
export const qrCodes: QrCodes = {
  async svgDataUrl(text) {
    const svg = await QRCode.toString(text, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
    return `data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}`;
  },
};
