/**
 * @file Barrel of the inspect API: the visual report of what each pipeline keeps, and its building blocks.
 */
export { collectInspection, displayFrame, inspectVideo } from './inspect-video.js';
export type {
  InspectFigure,
  InspectionData,
  InspectProgress,
  InspectSummary,
  InspectVideoOptions,
  InspectVideoResult,
  PipelineInspection,
  PipelineSummary,
  QuestionScores,
  SceneCurves,
  SegmentSummary,
} from './inspect-video.js';
export { renderReportHtml, type RenderReportOptions } from './report-html.js';
export { renderReportFigures, tileImages } from './report-figures.js';
export { crc32, encodePng } from './png-encode.js';
export { encodeJpegImages, splitJpegStream, type JpegOptions } from './jpeg-encode.js';
export { heatColor, heatMapImage, normalizeValues, tokenNorms, type HeatMapOptions } from './heat-map.js';
export { evenlySpread, fitWithin, locateTokens, segmentPictures } from './token-images.js';
export type {
  PixelsGeometry,
  SegmentPictures,
  TokenLocation,
  TokenPicture,
  TokenPictureContext,
  TokenPictureKind,
} from './token-images.js';
export { budgetBarsSvg, lineChartSvg, niceTicks, timelineSvg } from './svg-charts.js';
export type {
  BarPart,
  BarRow,
  LineChartOptions,
  LineSeries,
  TimelineOptions,
  TimelineRow,
  TimelineThumbnail,
} from './svg-charts.js';
export { escapeHtml } from './html-escape.js';
export {
  recordingEncoder,
  type RecordingEncoder,
  type RecordedFrameFeatures,
  type RecordedImage,
} from './recording-encoder.js';
export { recordingFrameProvider, type RecordingFrameProvider } from './recording-frame-provider.js';
export { RasterCanvas, type Color } from './raster-canvas.js';
