/**
 * @file Validation of what names a model on the hub: repository ids (`owner/name`), revisions (branch, tag, commit
 * or `refs/pr/N`) and the cache folder names derived from them. Both come from users and servers, so both are
 * checked before they reach a URL or a path.
 */
import { UsageError } from '../errors/index.js';
import { findModelAlias } from './model-aliases.js';

const namePart = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?$/;
const revisionPattern = /^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,254}|refs\/pr\/\d{1,9}|refs\/convert\/[A-Za-z0-9_-]{1,64})$/;

/** True when `value` is a well-formed `owner/name` hub repository id. */
export function isRepositoryId(value: string): boolean {
  const parts = value.split('/');
  return (
    parts.length === 2 && parts.every((part) => namePart.test(part) && !part.includes('..') && !part.includes('--'))
  );
}

/** Throws UsageError unless `value` is a well-formed `owner/name` repository id; returns it. */
export function validateRepositoryId(value: string): string {
  if (!isRepositoryId(value)) {
    throw new UsageError(`model '${value}': not an alias or an owner/name repository id`);
  }
  return value;
}

/** Throws UsageError unless `value` is a safe revision (branch, tag, 40-hex commit, refs/pr/N); returns it. */
export function validateRevision(value: string): string {
  if (!revisionPattern.test(value) || value.includes('..') || value.endsWith('.lock')) {
    throw new UsageError(`--revision '${value}': not a valid branch, tag, commit or refs/pr/N`);
  }
  return value;
}

/** The repository id `model` names: an alias, or an `owner/name` id. Throws UsageError otherwise. */
export function repositoryIdOf(model: string): string {
  return findModelAlias(model)?.repositoryId ?? validateRepositoryId(model);
}

/** Cache folder of a repository: `owner--name` (ids never contain `--`, so this is reversible). */
export function repositoryFolderName(repositoryId: string): string {
  return validateRepositoryId(repositoryId).replace('/', '--');
}

/** The repository id of a cache folder name, or undefined when the folder is not one of ours. */
export function repositoryIdOfFolder(folder: string): string | undefined {
  const parts = folder.split('--');
  if (parts.length !== 2) return undefined;
  const id = `${parts[0]}/${parts[1]}`;
  return isRepositoryId(id) ? id : undefined;
}

/** Cache folder of a revision: slashes become `--` (`refs/pr/1` → `refs--pr--1`). */
export function revisionFolderName(revision: string): string {
  return validateRevision(revision).replaceAll('/', '--');
}

/** The revision of a revision folder name. */
export function revisionOfFolder(folder: string): string {
  return folder.replaceAll('--', '/');
}
