/**
 * @file The data types of the inspect report: options and progress of `inspectVideo`, the per-pipeline summaries,
 * the scene and question curves, and the `InspectionData` that the HTML (report-html.ts) and the PNG figures
 * (report-figures.ts) are rendered from. Kept apart from inspect-video.ts so the renderers do not import it back.
 */
import type { VisualEncoder } from '../core/encoder.js';
import type { RgbImage, VideoFrame } from '../core/frame.js';
import type { PipelineDefinition } from '../graph/pipeline-definition.js';
import type { FrameProvider, ProbeSummary } from '../pipeline/frame-provider.js';
import type { PlanGeometry } from '../pipeline/run-pipeline.js';
import type { SegmentPictures } from './token-images.js';

export interface InspectVideoOptions {
  /** Pipelines to compare (built-in names, files or definitions); default every built-in pipeline. */
  readonly pipelines?: readonly (string | PipelineDefinition)[];
  /** Encoder spec or encoder shared by every pipeline; default `pixels`. */
  readonly encoder?: string | VisualEncoder;
  readonly question?: string;
  /** Where frames come from; default src/ingest (ffmpeg). */
  readonly frameProvider?: FrameProvider;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: InspectProgress) => void;
  /** Most token pictures per segment (default 12). */
  readonly maxPicturesPerSegment?: number;
  /** JPEG quality of the embedded pictures, ffmpeg `-q:v` 2..31 (default 5). */
  readonly jpegQuality?: number;
  /** Also render the figures as PNG files (default false). */
  readonly figures?: boolean;
}

export type InspectProgress =
  | { readonly type: 'pipeline-start'; readonly pipeline: string; readonly at: number; readonly of: number }
  | { readonly type: 'pipeline-end'; readonly pipeline: string; readonly milliseconds: number; readonly error?: string }
  | { readonly type: 'rendering' };

export interface SegmentSummary {
  readonly role: string;
  readonly count: number;
  readonly frameIndices: readonly number[];
  readonly timestamps: readonly number[];
  readonly layout?: { readonly t: number; readonly h: number; readonly w: number };
  readonly isImage: boolean;
}

export interface PipelineSummary {
  readonly name: string;
  readonly description?: string;
  readonly encoder: string;
  readonly budget: number;
  readonly plannedTokens: number;
  readonly totalTokens: number;
  readonly tokensByRole: Readonly<Record<string, number>>;
  readonly frames: readonly { readonly index: number; readonly pts: number }[];
  readonly segments: readonly SegmentSummary[];
  /** Stage parameters as resolved against the encoder (e.g. PLLaVA's pooled shape on this grid). */
  readonly params: Readonly<Record<string, unknown>>;
  /** The encoder numbers the parameters were resolved against. */
  readonly geometry?: PlanGeometry;
  readonly notes: Readonly<Record<string, unknown>>;
  readonly approximation?: string;
  /** Stage wall times, milliseconds, plus `total`. */
  readonly timings: Readonly<Record<string, number>>;
  readonly warnings: readonly string[];
  /** Set when the pipeline failed on this input (the others still run). */
  readonly error?: string;
}

export interface SceneCurves {
  /** Pipeline whose frames the curves are computed on. */
  readonly pipeline: string;
  readonly k: number;
  /** Time of each similarity/depth value: the midpoint between frame i and i+1, seconds. */
  readonly times: readonly number[];
  readonly similarity: readonly number[];
  readonly depth: readonly number[];
  /** Cut after frame `boundaries[i]`: its time, seconds (the last frame is not a cut). */
  readonly cutTimes: readonly number[];
  readonly frameTimes: readonly number[];
}

export interface QuestionScores {
  readonly pipeline: string;
  readonly times: readonly number[];
  readonly scores: readonly number[];
  readonly keptTimes: readonly number[];
}

export interface InspectSummary {
  readonly input: string;
  readonly probe: ProbeSummary;
  readonly encoder: string;
  readonly question?: string;
  readonly pipelines: readonly PipelineSummary[];
  readonly sceneCurves?: SceneCurves;
  readonly questionScores?: QuestionScores;
  /** Wall times, milliseconds: every pipeline, rendering, total. */
  readonly timings: Readonly<Record<string, number>>;
  readonly generatedAt: string;
}

export interface InspectFigure {
  /** File name without directory, e.g. `timeline.png`. */
  readonly name: string;
  readonly png: Uint8Array;
}

export interface InspectVideoResult {
  readonly html: string;
  readonly figures: InspectFigure[];
  readonly summary: InspectSummary;
}

/** What one pipeline run left for the report (images still raw). */
export interface PipelineInspection {
  readonly summary: PipelineSummary;
  /** Decoded frames the pipeline used, in order. */
  readonly frames: readonly VideoFrame[];
  /** Composed images (thumbnail, grid) it built. */
  readonly builtImages: readonly { readonly label: string; readonly image: RgbImage }[];
  /** Pictures of every visual segment. */
  readonly segmentPictures: readonly { readonly segment: SegmentSummary; readonly pictures: SegmentPictures }[];
}

/** Everything the HTML and the figures are rendered from. */
export interface InspectionData {
  readonly summary: InspectSummary;
  readonly pipelines: readonly PipelineInspection[];
  /** Frames for the timeline strip (evenly spread over all decoded frames). */
  readonly timelineFrames: readonly VideoFrame[];
  /** Display aspect ratio of the video (width / height). */
  readonly aspect: number;
}
