/**
 * @file A WebVTT file that grows cue by cue and is valid at every moment. The file is created as `WEBVTT` alone;
 * each cue is added by copying the current file to a temporary file next to it (a kernel copy: nothing is held in
 * memory, so endless streams stay bounded), appending the cue, fsyncing and renaming over the original. A reader
 * always sees the previous or the new complete file. Cue text is escaped like src/output's WebVTT writer.
 *
 * `appendScene` writes one narrated scene so a person can judge the scene boundaries: a `NOTE` block naming the scene,
 * how it was closed (cut, max-length, end of stream), merged scenes and the times of the frames the model saw,
 * then the cue with identifier `scene-N`. With thumbnails, the frames are written as PNG files into
 * `<name>.frames/` beside the file and listed in a thumbnail track `<name>.thumbnails.vtt` (one cue per frame whose
 * text is the image's relative path, the format players use for seek-bar previews).
 */
import { copyFile, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AbortedError, UsageError } from '../errors/index.js';
import { formatTimestamp, temporaryPathFor, vttCueLines, writeFileAtomic } from '../output/index.js';

export class VttAppender {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private cueCount = 0;

  private thumbnailTrack: VttAppender | undefined;

  private constructor(readonly path: string) {}

  /** The thumbnail track beside the file (created by the first scene with thumbnails). */
  get thumbnailPath(): string {
    return join(dirname(this.path), `${basename(this.path).replace(/\.vtt$/i, '')}.thumbnails.vtt`);
  }

  /** The folder of the thumbnail images. */
  get framesDirectory(): string {
    return join(dirname(this.path), `${basename(this.path).replace(/\.vtt$/i, '')}.frames`);
  }

  /**
   * Adds one narrated scene: a NOTE with its boundary and the frames the model saw, then its cue (`scene-N`); with
   * `thumbnails` (PNG data URIs, one per frame time) also the images and the thumbnail track.
   */
  appendScene(scene: NarratedScene): Promise<void> {
    if (this.closed) return Promise.reject(new AbortedError(`append to ${this.path} (closed)`));
    const lines = vttCueLines(scene.text);
    const merged = scene.mergedScenes.length > 0 ? `, merged scenes ${scene.mergedScenes.join(' ')}` : '';
    const frames = scene.frameTimes.map((time) => time.toFixed(2)).join(' ');
    // A NOTE must not contain "-->"; times are written "from ... to ...".
    const note = `\nNOTE scene ${scene.scene} from ${formatTimestamp(scene.start, '.')} to ${formatTimestamp(Math.max(scene.start, scene.end), '.')} (${scene.closedBy}${merged}); frames seen at ${frames || 'none'} s\n`;
    const cue =
      lines.length === 0
        ? ''
        : `\nscene-${scene.scene}\n${formatTimestamp(scene.start, '.')} --> ${formatTimestamp(Math.max(scene.start, scene.end), '.')}\n${lines.join('\n')}\n`;
    const next = this.chain.then(async () => {
      await this.write(note + cue, lines.length > 0);
      if (scene.thumbnails && scene.thumbnails.length > 0) await this.writeThumbnails(scene);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async writeThumbnails(scene: NarratedScene): Promise<void> {
    const directory = this.framesDirectory;
    await mkdir(directory, { recursive: true });
    this.thumbnailTrack ??= await VttAppender.create(this.thumbnailPath);
    const images = scene.thumbnails!;
    for (let n = 0; n < images.length; n++) {
      const name = `scene-${scene.scene}-${n}.png`;
      const data = images[n]!.replace(/^data:image\/png;base64,/, '');
      await writeFileAtomic(join(directory, name), Buffer.from(data, 'base64'));
      const start = scene.frameTimes[n] ?? scene.start;
      const end = n + 1 < images.length ? (scene.frameTimes[n + 1] ?? scene.end) : scene.end;
      await this.thumbnailTrack.appendCue(start, Math.max(start, end), `${basename(directory)}/${name}`);
    }
  }

  /** Creates (or replaces) `path` with an empty WebVTT file. */
  static async create(path: string, options: { signal?: AbortSignal } = {}): Promise<VttAppender> {
    try {
      await writeFileAtomic(path, 'WEBVTT\n', options.signal ? { signal: options.signal } : {});
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === undefined) throw error;
      throw new UsageError(`${path}: cannot write the WebVTT file (${code})`, { cause: error });
    }
    return new VttAppender(path);
  }

  /** Cues written so far. */
  get cues(): number {
    return this.cueCount;
  }

  /** Adds one cue (skipped when the text has no visible line); appends are applied in call order. */
  appendCue(start: number, end: number, text: string): Promise<void> {
    if (this.closed) return Promise.reject(new AbortedError(`append to ${this.path} (closed)`));
    const lines = vttCueLines(text);
    if (lines.length === 0) return this.chain;
    const cue = `\n${formatTimestamp(start, '.')} --> ${formatTimestamp(Math.max(start, end), '.')}\n${lines.join('\n')}\n`;
    const next = this.chain.then(() => this.write(cue, true));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async write(cue: string, counts: boolean): Promise<void> {
    const temporary = temporaryPathFor(this.path);
    let renamed = false;
    try {
      await copyFile(this.path, temporary);
      const handle = await open(temporary, 'a');
      try {
        await handle.appendFile(cue);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.path);
      renamed = true;
      if (counts) this.cueCount += 1;
    } finally {
      if (!renamed) await unlink(temporary).catch(() => undefined);
    }
  }

  /** Waits for pending cues; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.chain;
    await this.thumbnailTrack?.close();
  }
}

/** What `appendScene` needs of a `narration-end` event. */
export interface NarratedScene {
  readonly scene: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly closedBy: string;
  readonly mergedScenes: readonly number[];
  readonly frameTimes: readonly number[];
  readonly thumbnails?: readonly string[] | undefined;
}
