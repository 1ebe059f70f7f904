/** Reads a PNG far enough to know it is a whole, decodable picture: signature, size, and all its pixel rows. */
import { inflateSync } from "node:zlib";

export interface PngInfo {
  width: number;
  height: number;
  colorType: number;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export function readPng(bytes: Buffer): PngInfo {
  if (!bytes.subarray(0, 8).equals(SIGNATURE)) throw new Error("not a PNG");
  let offset = 8;
  let info: PngInfo | undefined;
  let bitDepth = 8;
  const data: Buffer[] = [];
  let ended = false;
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString("latin1", offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      info = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), colorType: body[9] };
      bitDepth = body[8];
    } else if (type === "IDAT") data.push(body);
    else if (type === "IEND") ended = true;
    offset += 12 + length;
  }
  if (!info || !ended || data.length === 0) throw new Error("a PNG without its header, pixels or end");
  const rows = inflateSync(Buffer.concat(data));
  const rowBytes = 1 + Math.ceil((info.width * (CHANNELS[info.colorType] ?? 1) * bitDepth) / 8);
  if (rows.length !== rowBytes * info.height) throw new Error(`pixel data of ${rows.length} bytes, expected ${rowBytes * info.height}`);
  return info;
}
