/**
 * @file Progress events of a model pull. Library code reports through a callback; the CLI draws a bar on a TTY
 * and prints JSON lines otherwise.
 */

export type PullProgressEvent =
  /** The tree listing is being fetched. */
  | { readonly type: 'listing'; readonly repositoryId: string; readonly revision: string; readonly endpoint: string }
  /** What the pull will do: `totalBytes` of selected files, of which `downloadBytes` are not on disk yet. */
  | {
      readonly type: 'plan';
      readonly files: number;
      readonly totalBytes: number;
      readonly downloadFiles: number;
      readonly downloadBytes: number;
    }
  /** One file starts (or resumes from `resumeFrom`). */
  | { readonly type: 'file-start'; readonly path: string; readonly size: number; readonly resumeFrom: number }
  /** Bytes of the current file on disk; `doneBytes` counts every selected file's bytes on disk so far. */
  | {
      readonly type: 'bytes';
      readonly path: string;
      readonly fileBytes: number;
      readonly size: number;
      readonly doneBytes: number;
      readonly totalBytes: number;
    }
  /** A file failed with a retryable error and is tried again after `delayMs`. */
  | {
      readonly type: 'retry';
      readonly path: string;
      readonly attempt: number;
      readonly delayMs: number;
      readonly reason: string;
    }
  /** A file was verified and moved into the staging folder. */
  | {
      readonly type: 'file-done';
      readonly path: string;
      readonly size: number;
      readonly verifiedWith: 'sha256' | 'git-sha1' | 'size';
    }
  /**
   * A file made from part of a listed one (image_newline.npy from model.safetensors): `bytes` is what the range
   * requests read; `reused` when the previous snapshot's copy still matches the listing; `missing` when the source
   * has no such tensor (the prompt then has no newline token).
   */
  | {
      readonly type: 'derived';
      readonly path: string;
      readonly from: string;
      readonly outcome: 'fetched' | 'reused' | 'missing';
    }
  /** The snapshot folder is in place. */
  | { readonly type: 'done'; readonly directory: string; readonly downloadedBytes: number };

export type PullProgressListener = (event: PullProgressEvent) => void;
