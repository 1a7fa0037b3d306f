/** @file Barrel of model management: aliases, dtypes, the cache, pulling from a hub, listing, removing, resolving. */
export { modelAliases, findModelAlias, fallbackDtypes, type ModelAlias } from './model-aliases.js';
export {
  modelDtypes,
  modelGraphs,
  dtypeFileSuffix,
  parseDtypeOption,
  formatDtypes,
  graphFilePath,
  classifyGraphFile,
  uniformDtypes,
  isModelDtype,
  isModelGraph,
  type ModelDtype,
  type ModelGraph,
  type GraphDtypes,
} from './model-dtypes.js';
export {
  resolveCacheDirectory,
  snapshotDirectory,
  manifestFileName,
  type CacheDirectoryOptions,
} from './cache-directory.js';
export {
  resolveHubConnection,
  resolveFileUrl,
  defaultHubEndpoint,
  type HubConnectionOptions,
  type HubConnection,
} from './hub-endpoint.js';
export { listRepositoryFiles, type RepositoryFile } from './list-repository-files.js';
export {
  downloadFile,
  type DownloadFileRequest,
  type DownloadFileOutcome,
  type ExpectedChecksum,
} from './download-file.js';
export { pullModel, type PullModelOptions, type PullModelResult, type PulledFile } from './pull-model.js';
export type { PullProgressEvent, PullProgressListener } from './pull-progress.js';
export { listCachedModels, type CachedModel, type CachedModelListing } from './list-models.js';
export { removeCachedModel, type RemoveModelOptions, type RemoveModelResult } from './remove-model.js';
export { resolveModelDirectory, type ResolveModelDirectoryOptions } from './resolve-model-directory.js';
export { isRepositoryId, validateRepositoryId, validateRevision } from './repository-reference.js';
export { isSafeRelativePath } from './safe-relative-path.js';
