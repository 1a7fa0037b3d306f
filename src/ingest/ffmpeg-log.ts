/**
 * @file Reads ffmpeg's stderr while it decodes: `showinfo` lines (the pts of every delivered frame), the output
 * stream's size, the input stream's description (for stdin sources) and decoder complaints, classified as warnings.
 */

export interface IngestWarning {
  input: string;
  kind: 'corrupt-data' | 'truncated' | 'missing-frames' | 'other';
  message: string;
}

export interface ShowinfoLine {
  /** The filter instance number from `Parsed_showinfo_<k>` (lower = earlier in the chain). */
  readonly instance: number;
  readonly n: number;
  readonly ptsUnits: number;
  readonly ptsTime: number;
}

const showinfoPattern = /\[Parsed_showinfo_(\d+) @ [^\]]+\] n:\s*(\d+) pts:\s*(-?\d+) pts_time:(\S+)/;
const outputSizePattern = /Video: rawvideo[^,]*, rgb24(?:\([^)]*\))?, (\d+)x(\d+)/;
const inputVideoPattern =
  /Stream #0:\d+[^:]*: Video: (\w+)[^,]*, (\w+)(?:\([^)]*\))?,\s*(\d+)x(\d+)(?:.*?, ([\d.]+) fps)?(?:.*?, ([\d.]+k?) tbr)?/;

export function parseShowinfo(line: string): ShowinfoLine | undefined {
  const match = showinfoPattern.exec(line);
  if (!match) return undefined;
  return { instance: Number(match[1]), n: Number(match[2]), ptsUnits: Number(match[3]), ptsTime: Number(match[4]) };
}

/** The output frame size from the `Output #0` stream line (call only after `Output #0` was seen). */
export function parseOutputSize(line: string): { width: number; height: number } | undefined {
  const match = outputSizePattern.exec(line);
  return match ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
}

export interface InputVideoDescription {
  codec: string;
  pixelFormat: string;
  width: number;
  height: number;
  frameRate: number;
}

/** The input video stream description (from an `Input #0` stream line). */
export function parseInputVideo(line: string): InputVideoDescription | undefined {
  const match = inputVideoPattern.exec(line);
  if (!match) return undefined;
  return {
    codec: match[1]!,
    pixelFormat: match[2]!,
    width: Number(match[3]),
    height: Number(match[4]),
    frameRate: Number(match[5] ?? match[6]?.replace('k', '000') ?? 0) || 0,
  };
}

const corruptPatterns = [
  /error while decoding/i,
  /concealing \d+ (DC|AC|MV) errors/i,
  /Invalid NAL unit/i,
  /decode_slice_header error/i,
  /non-existing PPS/i,
  /no frame!/i,
  /corrupt (decoded )?frame/i,
  /Invalid data found when processing input/i,
  /missing picture in access unit/i,
  /cabac decode of qscale diff failed/i,
  /out of range intra chroma pred mode/i,
  /left block unavailable/i,
  /top block unavailable/i,
  /mb_type \d+ in [IPB] slice too large/i,
  /Reference \d+ >= \d+/i,
];
const truncatedPatterns = [
  /partial file/i,
  /Truncat/i,
  /Packet corrupt/i,
  /stream \d+, offset 0x[0-9a-f]+: partial file/i,
  /End of file/i,
];

/** Classifies one stderr line as a warning (or undefined for normal chatter). */
export function classifyStderrLine(input: string, line: string): IngestWarning | undefined {
  if (showinfoPattern.test(line)) return undefined;
  const message = line.replace(/^\[[^\]]*\]\s*/, '').trim();
  if (truncatedPatterns.some((pattern) => pattern.test(line))) return { input, kind: 'truncated', message };
  if (corruptPatterns.some((pattern) => pattern.test(line))) return { input, kind: 'corrupt-data', message };
  return undefined;
}
