/**
 * @file The hub to talk to and the credentials to send: `endpoint` option, else `HF_ENDPOINT`, else
 * https://huggingface.co; `token` option, else `HF_TOKEN` (or the older `HUGGING_FACE_HUB_TOKEN`). The token is only
 * ever sent to the endpoint's own origin, never to the CDN a download redirects to.
 */
import { UsageError } from '../errors/index.js';

export const defaultHubEndpoint = 'https://huggingface.co';

export interface HubConnectionOptions {
  /** Base URL of the hub or a mirror; defaults to `HF_ENDPOINT`, then https://huggingface.co. */
  readonly endpoint?: string;
  /** Access token sent as `Authorization: Bearer`; defaults to `HF_TOKEN`. */
  readonly token?: string;
  /** Environment to read `HF_ENDPOINT` and `HF_TOKEN` from; defaults to `process.env`. */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** The fetch implementation (tests, proxies); defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

export interface HubConnection {
  /** Endpoint without a trailing slash, e.g. `https://huggingface.co`. */
  readonly endpoint: string;
  readonly token: string | undefined;
  readonly fetch: typeof fetch;
}

/** Resolves the endpoint and token; throws UsageError naming a malformed endpoint. */
export function resolveHubConnection(options: HubConnectionOptions = {}): HubConnection {
  const environment = options.environment ?? process.env;
  const raw = options.endpoint ?? (environment.HF_ENDPOINT || undefined) ?? defaultHubEndpoint;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`HF_ENDPOINT '${raw}': not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`HF_ENDPOINT '${raw}': only http and https endpoints are supported`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new UsageError(`HF_ENDPOINT '${raw}': must not carry credentials, a query or a fragment`);
  }
  const token = options.token ?? (environment.HF_TOKEN || environment.HUGGING_FACE_HUB_TOKEN || undefined);
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) {
    throw new UsageError('HF_TOKEN: the token contains spaces or characters that cannot go in a header');
  }
  return { endpoint: url.href.replace(/\/+$/, ''), token, fetch: options.fetch ?? fetch };
}

/** The download URL of one file: `{endpoint}/{owner}/{name}/resolve/{revision}/{path}`. */
export function resolveFileUrl(endpoint: string, repositoryId: string, revision: string, path: string): string {
  const encodedPath = path.split('/').map(encodeURIComponent).join('/');
  return `${endpoint}/${repositoryId}/resolve/${encodeURIComponent(revision)}/${encodedPath}`;
}
