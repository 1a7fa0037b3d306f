/** @file Barrel of `vidtok serve`: the OpenAI-compatible server and its parts. */
export { startServer, type ServeOptions, type VidtokServer } from './serve-server.js';
export { HttpError, httpErrorFrom } from './openai-error.js';
export { parseChatRequest, type ChatRequest, type VidtokRequestOptions } from './chat-request.js';
export { MediaResolver, type ResolvedMedia, type MediaKind } from './media-resolver.js';
export { ContextCache, contextKey, type ContextKeyParts } from './context-cache.js';
export { ServerMetrics } from './server-metrics.js';
