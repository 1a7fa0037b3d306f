/**
 * @file Shared helpers of the narration tests: the fixture model, the sample clip with known cuts, an MPEG-TS copy
 * for stdin and HTTP sources, a strict WebVTT parser, an SSE reader, and a CLI runner that records the child
 * processes of the CLI (ffmpeg, the model runner) so tests can check none survives.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSamples, type SamplesManifest } from '../../samples/generate.js';
import type { NarrationEvent } from '../../src/narration/index.js';
import { childProcessIds, runFfmpeg } from '../helpers/media.js';
import { repoRoot } from '../helpers/paths.js';

export const fixtureModel = join(repoRoot, 'test', 'fixtures', 'models', 'smolvlm2-tiny');

export interface SceneClip {
  readonly path: string;
  readonly manifest: SamplesManifest['scenes'];
}

/** The samples generator's scenes clip (cuts at 2.0 s and 3.6 s) in `directory`. */
export async function sceneClip(directory: string): Promise<SceneClip> {
  const manifest = await generateSamples(directory);
  return { path: join(directory, manifest.scenes.file), manifest: manifest.scenes };
}

/** An MPEG-TS copy of `source` (stream copy), for stdin and HTTP sources. */
export async function transportStreamCopy(source: string, target: string): Promise<string> {
  if (!existsSync(target)) await runFfmpeg(['-i', `file:${source}`, '-c', 'copy', '-f', 'mpegts', `file:${target}`]);
  return target;
}

export interface VttCue {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** The cue identifier line, when there is one. */
  readonly id?: string;
}

function seconds(timestamp: string): number {
  const match = /^(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})$/.exec(timestamp);
  if (!match) throw new Error(`bad WebVTT timestamp '${timestamp}'`);
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]) + Number(match[4]) / 1000;
}

/** Parses a WebVTT file strictly (header, blank-line separated cues, timing lines, non-empty payloads); throws. */
export function parseVtt(text: string): VttCue[] {
  if (!/^WEBVTT(?:[ \t][^\n]*)?\n/.test(text)) throw new Error('WebVTT must start with a WEBVTT line');
  if (!text.endsWith('\n')) throw new Error('WebVTT must end with a newline');
  const blocks = text
    .slice(text.indexOf('\n') + 1)
    .split(/\n{2,}/)
    .map((block) => block.replace(/^\n+|\n+$/g, ''))
    .filter((block) => block !== '');
  return blocks.flatMap((block) => {
    if (/^NOTE(?:[ \t\n]|$)/.test(block)) {
      if (block.includes('-->')) throw new Error(`a NOTE must not contain "-->": ${JSON.stringify(block)}`);
      return [];
    }
    let lines = block.split('\n');
    let id: string | undefined;
    if (!(lines[0] ?? '').includes('-->') && (lines[1] ?? '').includes('-->')) {
      id = lines[0]!;
      lines = lines.slice(1);
    }
    const timing = /^(\S+) --> (\S+)$/.exec(lines[0] ?? '');
    if (!timing) throw new Error(`cue without a timing line: ${JSON.stringify(block)}`);
    const start = seconds(timing[1]!);
    const end = seconds(timing[2]!);
    if (end < start) throw new Error(`cue ends before it starts: ${lines[0]}`);
    const payload = lines.slice(1);
    if (payload.length === 0 || payload.some((line) => line.trim() === '' || line.includes('-->')))
      throw new Error(`bad cue payload: ${JSON.stringify(block)}`);
    return [{ start, end, text: payload.join('\n'), ...(id !== undefined ? { id } : {}) }];
  });
}

/** Reads Server-Sent Events from `url` until `until` says stop (or the stream ends); returns them parsed. */
export async function readServerSentEvents(
  url: string,
  until: (events: readonly { event: string; data: unknown }[]) => boolean,
  timeoutMs = 60_000,
): Promise<{ event: string; data: unknown }[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: { event: string; data: unknown }[] = [];
  try {
    const response = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
    if (!response.ok || !response.body) throw new Error(`SSE ${url}: HTTP ${response.status}`);
    if (!String(response.headers.get('content-type')).startsWith('text/event-stream'))
      throw new Error('SSE: wrong content type');
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) name = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length > 0) events.push({ event: name, data: JSON.parse(data.join('\n')) });
      }
      if (until(events)) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

export interface CliRun {
  readonly code: number | null;
  readonly events: NarrationEvent[];
  readonly stderr: string;
  /** Every process seen as a child of the CLI while it ran. */
  readonly childPids: number[];
}

export interface CliRunOptions {
  /** Bytes written to the CLI's stdin (then closed). */
  readonly stdin?: Buffer;
  /** Called for every event and every stderr chunk; return 'interrupt' to send SIGINT once. */
  readonly onEvent?: (event: NarrationEvent, events: readonly NarrationEvent[]) => 'interrupt' | void;
  readonly onStderr?: (text: string) => void;
  readonly timeoutMs?: number;
}

/** Runs `vidtok <args>` as a user would (from the repo root) and collects its JSONL events. */
export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const events: NarrationEvent[] = [];
    const childPids = new Set<number>();
    let stderr = '';
    let pending = '';
    let interrupted = false;
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? Buffer.alloc(0));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let end: number;
      while ((end = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 1);
        if (line.trim() === '') continue;
        const event = JSON.parse(line) as NarrationEvent;
        events.push(event);
        if (options.onEvent?.(event, events) === 'interrupt' && !interrupted) {
          interrupted = true;
          child.kill('SIGINT');
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stderr += text;
      options.onStderr?.(text);
    });
    const poll = setInterval(() => {
      if (child.pid !== undefined) for (const pid of childProcessIds(child.pid)) childPids.add(pid);
    }, 100);
    const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(killer);
      resolve({ code, events, stderr, childPids: [...childPids] });
    });
  });
}

/** Process ids of `pids` still alive (not zombies) after waiting up to `timeoutMs`. */
export async function survivingProcesses(pids: readonly number[], timeoutMs = 3000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
      } catch {
        return false;
      }
    });
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Checks the event order rules; returns the narration-end events. */
export function checkEventOrder(
  events: readonly NarrationEvent[],
): Extract<NarrationEvent, { type: 'narration-end' }>[] {
  const started = new Map<number, number>();
  const ended = new Set<number>();
  const texts = new Map<number, string>();
  const ends: Extract<NarrationEvent, { type: 'narration-end' }>[] = [];
  events.forEach((event, position) => {
    if (event.type === 'scene-start') {
      if (started.has(event.scene)) throw new Error(`scene ${event.scene} started twice`);
      started.set(event.scene, position);
    } else if (event.type === 'narration-delta') {
      if (!started.has(event.scene)) throw new Error(`delta of scene ${event.scene} before its scene-start`);
      if (ended.has(event.scene)) throw new Error(`delta of scene ${event.scene} after its narration-end`);
      texts.set(event.scene, (texts.get(event.scene) ?? '') + event.text);
    } else if (event.type === 'narration-end') {
      if (!started.has(event.scene)) throw new Error(`narration-end of scene ${event.scene} before its scene-start`);
      if (ended.has(event.scene)) throw new Error(`scene ${event.scene} narrated twice`);
      if (event.text !== (texts.get(event.scene) ?? ''))
        throw new Error(`narration-end text of scene ${event.scene} is not its deltas joined`);
      if (!(event.end >= event.start)) throw new Error(`scene ${event.scene} ends before it starts`);
      const previous = ends[ends.length - 1];
      if (previous && !(event.scene > previous.scene && event.start >= previous.end - 1e-9))
        throw new Error(`narration-end of scene ${event.scene} out of order`);
      ended.add(event.scene);
      ends.push(event);
    }
  });
  return ends;
}
