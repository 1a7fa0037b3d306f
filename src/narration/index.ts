/**
 * @file Barrel of live narration: `narrateStream` and its events and options, the append-only WebVTT writer and the
 * Server-Sent Events server used by `vidtok narrate`.
 */
export {
  defaultNarrationPipeline,
  narrateStream,
  type NarrationStats,
  type NarrationStream,
} from './narrate-stream.js';
export { planNarration, type NarrationPlan, type NarrationPlanOptions } from './narration-plan.js';
export { sceneThumbnails, thumbnailDataUri } from './scene-thumbnails.js';
export * from './narration-events.js';
export {
  defaultNarrationFps,
  defaultNarrationMaxNewTokens,
  defaultNarrationPrompt,
  defaultSceneFramesPerSecond,
  resolveNarrateOptions,
  type NarrateOptions,
  type ReconnectOptions,
  type ResolvedNarrateOptions,
} from './narration-options.js';
export { defaultNarrationModel, openNarrationModel, type OpenNarrationModelOptions } from './open-narration-model.js';
export { VttAppender, type NarratedScene } from './vtt-appender.js';
export {
  NarrationEventServer,
  parseListenAddress,
  type EventServerOptions,
  type ListenAddress,
} from './event-server.js';
export { narrationPage } from './event-page.js';
