/**
 * @file Resolves a host name once and checks every address it resolves to against the network policy; the caller
 * connects to the returned address (pinned), so a second DNS answer (DNS rebinding) cannot point elsewhere.
 */
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { InputNotFoundError, NetworkRefusedError } from '../errors/index.js';
import { currentNetworkPolicy, decideAddress, refusalReason, type NetworkPolicy } from './network-policy.js';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

const resolveDeadlineMs = 10_000;

/**
 * Resolves `hostname` and returns its first address when every address is allowed. Throws NetworkRefusedError
 * (exit 4) naming `input` when one is not, InputNotFoundError (exit 3) when the name does not resolve.
 */
export async function resolveAllowedAddress(
  input: string,
  hostname: string,
  policy: NetworkPolicy = currentNetworkPolicy(),
): Promise<ResolvedAddress> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(bare) !== 0) addresses = [{ address: bare, family: isIP(bare) }];
  else {
    let timer: NodeJS.Timeout | undefined;
    try {
      addresses = await Promise.race([
        dns.lookup(bare, { all: true, verbatim: true }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${resolveDeadlineMs / 1000} s`)),
            resolveDeadlineMs,
          );
        }),
      ]);
    } catch (error) {
      throw new InputNotFoundError(
        input,
        `cannot resolve host ${bare}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        { cause: error },
      );
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
  if (addresses.length === 0) throw new InputNotFoundError(input, `cannot resolve host ${bare}: no address`);
  for (const entry of addresses) {
    const decision = decideAddress(bare, entry.address, policy);
    if (!decision.allowed)
      throw new NetworkRefusedError(input, refusalReason(bare, entry.address, decision.addressClass));
  }
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
