/**
 * @file Which network addresses vidtok and its ffmpeg children may contact. By default only public addresses:
 * loopback, private, link-local, metadata and unique-local ones are refused, because a URL input may come from
 * someone else (a queued caption job, a narration source given by another service). Cameras and local HLS servers
 * live on private networks, so both switches exist: `--allow-private-network` (or VIDTOK_ALLOW_PRIVATE_NETWORK=1)
 * allows every address, and VIDTOK_ALLOWED_HOSTS lists the hosts and CIDRs a service may use
 * (`camera.local,10.1.2.0/24,127.0.0.1`; `.example.com` matches subdomains).
 */
import { isIP } from 'node:net';
import { addressInCidr, classifyAddress, type AddressClass } from './address-ranges.js';

export interface NetworkPolicy {
  /** Every address may be contacted (the user trusts the URLs). */
  readonly allowPrivateNetwork: boolean;
  /** Hosts (exact names, `.suffix` for subdomains), IP addresses and CIDRs that may be contacted whatever their class. */
  readonly allowedHosts: readonly string[];
}

let configured: Partial<NetworkPolicy> = {};

/** Sets the policy of this process (the CLI's `--allow-private-network`); environment variables add to it. */
export function configureNetworkPolicy(policy: Partial<NetworkPolicy>): void {
  configured = { ...policy };
}

function environmentList(): string[] {
  return (process.env.VIDTOK_ALLOWED_HOSTS ?? '')
    .split(/[\s,]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry.length > 0);
}

/** The policy in force now: what `configureNetworkPolicy` set plus VIDTOK_ALLOW_PRIVATE_NETWORK and VIDTOK_ALLOWED_HOSTS. */
export function currentNetworkPolicy(): NetworkPolicy {
  const flag = (process.env.VIDTOK_ALLOW_PRIVATE_NETWORK ?? '').toLowerCase();
  return {
    allowPrivateNetwork: configured.allowPrivateNetwork === true || flag === '1' || flag === 'true' || flag === 'yes',
    allowedHosts: [...(configured.allowedHosts ?? []).map((entry) => entry.toLowerCase()), ...environmentList()],
  };
}

export interface AddressDecision {
  readonly allowed: boolean;
  readonly addressClass: AddressClass;
}

function hostListed(hostname: string, entries: readonly string[]): boolean {
  const name = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  return entries.some((entry) => {
    if (entry.includes('/') || isIP(entry.replace(/^\[|\]$/g, '')) !== 0) return false;
    if (entry.startsWith('.')) return name.endsWith(entry) || name === entry.slice(1);
    return name === entry;
  });
}

/** Whether `address` (what `hostname` resolved to) may be contacted under `policy`. */
export function decideAddress(
  hostname: string,
  address: string,
  policy: NetworkPolicy = currentNetworkPolicy(),
): AddressDecision {
  const addressClass = classifyAddress(address);
  if (addressClass === 'public' || policy.allowPrivateNetwork) return { allowed: true, addressClass };
  if (hostListed(hostname, policy.allowedHosts)) return { allowed: true, addressClass };
  const listed = policy.allowedHosts.some(
    (entry) =>
      (entry.includes('/') || isIP(entry.replace(/^\[|\]$/g, '')) !== 0) &&
      addressInCidr(address, entry.replace(/^\[|\]$/g, '')),
  );
  return { allowed: listed, addressClass };
}

/** The one-line refusal text: what was refused and how to allow it. */
export function refusalReason(hostname: string, address: string, addressClass: AddressClass): string {
  const shown = hostname === address ? address : `${hostname} (${address})`;
  return `refused to contact ${shown}: a ${addressClass} address; allow it with --allow-private-network, VIDTOK_ALLOW_PRIVATE_NETWORK=1 or VIDTOK_ALLOWED_HOSTS=${hostname.replace(/^\[|\]$/g, '')}`;
}
