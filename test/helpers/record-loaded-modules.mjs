// @file Module hook for child processes in tests: `node --import <this file>` appends the URL of every module the
// process loads (ESM and CommonJS, bare packages included) to the file named by VIDTOK_LOADED_MODULES_FILE.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';

const target = process.env.VIDTOK_LOADED_MODULES_FILE;
if (target) {
  register(
    `data:text/javascript,${encodeURIComponent(`
      import { appendFileSync } from 'node:fs';
      const target = ${JSON.stringify(target)};
      export async function resolve(specifier, context, next) {
        const result = await next(specifier, context);
        appendFileSync(target, result.url + '\\n');
        return result;
      }`)}`,
  );
  // CommonJS requires made from CommonJS files (e.g. inside ioredis) bypass the ESM hooks: record them too.
  const { Module } = await import('node:module');
  const originalLoad = Module._load;
  Module._load = function load(request, parent, isMain) {
    try {
      appendFileSync(target, `${Module._resolveFilename(request, parent, isMain)}\n`);
    } catch {
      // built-ins and unresolvable requests are left to the original loader
    }
    return originalLoad.call(this, request, parent, isMain);
  };
  appendFileSync(target, '');
}
