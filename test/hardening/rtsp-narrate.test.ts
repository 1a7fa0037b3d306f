/**
 * @file `vidtok narrate rtsp://...` through the CLI against a real RTSP server (GStreamer's gst-rtsp-server) that
 * serves an ffmpeg-made clip at playback speed: a TCP-only and a UDP-only server, the server killed and restarted
 * mid-stream (reconnect, narration continues, no scene narrated twice or out of order), a frozen server (the stall
 * watchdog reconnects), and a wrong password (a clear one-line error, no hang, no child left). Bounded: each run
 * stops itself with Ctrl-C after a few narrations.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { NarrationEvent } from '../../src/narration/index.js';
import { makeClip } from '../helpers/media.js';
import { scratchDir } from '../helpers/paths.js';
import { fixtureModel, runCli, survivingProcesses, type CliRun } from '../narration/narration-helpers.js';
import { startRtspServer } from './rtsp-server.js';

// The RTSP server listens on loopback, which the network policy refuses unless allowed.
process.env.VIDTOK_ALLOWED_HOSTS = '127.0.0.1';

const narrateArguments = [
  '-m',
  fixtureModel,
  '--fps',
  '2',
  '--max-new-tokens',
  '2',
  '--max-scene-seconds',
  '2',
  '--min-scene-seconds',
  '0.5',
  '--scene-descriptor',
  'hsv',
];
const count = (events: readonly NarrationEvent[], type: NarrationEvent['type']): number =>
  events.filter((event) => event.type === type).length;
const reconnectIndex = (events: readonly NarrationEvent[]): number =>
  events.findIndex((event) => event.type === 'source-reconnect');

type NarrationEnd = Extract<NarrationEvent, { type: 'narration-end' }>;

/**
 * Every scene narrated once, in order, on one growing timeline. (Not the narration suite's stricter boundary check:
 * on a live source a scene's `end` is its last frame plus one sampling interval, which jittery RTSP timestamps can
 * put a few milliseconds past the next scene's first frame.)
 */
function checkNarrations(events: readonly NarrationEvent[]): NarrationEnd[] {
  const ends = events.filter((event): event is NarrationEnd => event.type === 'narration-end');
  const scenes = new Set<number>();
  ends.forEach((end, index) => {
    assert.ok(!scenes.has(end.scene), `scene ${end.scene} narrated twice`);
    scenes.add(end.scene);
    assert.ok(end.end >= end.start, `scene ${end.scene} ends before it starts`);
    const previous = ends[index - 1];
    if (previous) {
      assert.ok(end.scene > previous.scene, `scene ${end.scene} after scene ${previous.scene}`);
      assert.ok(
        end.start >= previous.start && end.start >= previous.end - 0.25,
        `scene ${end.scene} starts at ${end.start}, the previous ended at ${previous.end}`,
      );
    }
  });
  return ends;
}

async function assertNoChildLeft(run: CliRun): Promise<void> {
  assert.deepEqual(await survivingProcesses(run.childPids), [], 'no ffmpeg or model process of the CLI survives');
}

describe('narrate rtsp:// from a real RTSP server', { timeout: 400_000 }, () => {
  let clip: string;
  before(async () => {
    clip = await makeClip(join(scratchDir('rtsp-clip'), 'camera.mp4'), {
      seconds: 90,
      fps: 25,
      gop: 10,
      source: 'testsrc2',
    });
  });

  for (const protocols of ['tcp', 'udp'] as const) {
    it(`narrates over ${protocols.toUpperCase()} (a server that offers only ${protocols})`, async () => {
      const server = await startRtspServer({ protocols, clip });
      try {
        const run = await runCli(['narrate', server.url, ...narrateArguments], {
          onEvent: (_event, events) => (count(events, 'narration-end') >= 3 ? 'interrupt' : undefined),
          timeoutMs: 90_000,
        });
        assert.equal(run.code, 130, run.stderr);
        const ends = checkNarrations(run.events);
        assert.ok(ends.length >= 3, `${ends.length} narrations: ${run.stderr}`);
        assert.equal(reconnectIndex(run.events), -1, `no reconnect was needed: ${run.stderr}`);
        await assertNoChildLeft(run);
      } finally {
        await server.stop();
      }
    });
  }

  it('the server restarts mid-stream: vidtok reconnects and narration continues, nothing narrated twice', async () => {
    const server = await startRtspServer({ protocols: 'tcp', clip });
    let restarting: Promise<void> | undefined;
    try {
      const run = await runCli(['narrate', server.url, ...narrateArguments, '--reconnect-delay', '500'], {
        onEvent: (event, events) => {
          if (!restarting && event.type === 'narration-end') {
            restarting = (async () => {
              await server.kill();
              await new Promise((resolvePromise) => setTimeout(resolvePromise, 1500));
              await server.start();
            })();
          }
          const first = reconnectIndex(events);
          return first >= 0 && count(events.slice(first), 'narration-end') >= 2 ? 'interrupt' : undefined;
        },
        timeoutMs: 150_000,
      });
      await restarting;
      assert.equal(run.code, 130, run.stderr);
      const ends = checkNarrations(run.events); // throws on a scene narrated twice or out of order
      const first = reconnectIndex(run.events);
      assert.ok(first > 0, `a source-reconnect event: ${run.stderr}`);
      assert.ok(count(run.events.slice(0, first), 'narration-end') >= 1);
      assert.ok(count(run.events.slice(first), 'narration-end') >= 2, 'narration continues after the restart');
      assert.ok(ends.length >= 3);
      assert.ok(server.connections() >= 2, 'vidtok connected again');
      await assertNoChildLeft(run);
    } finally {
      await server.stop();
    }
  });

  it('a frozen server (connection open, nothing sent): the stall watchdog reconnects and narration continues', async () => {
    const server = await startRtspServer({ protocols: 'tcp', clip });
    let frozen = false;
    try {
      const run = await runCli(
        ['narrate', server.url, ...narrateArguments, '--reconnect-delay', '300', '--stall-timeout', '3'],
        {
          onEvent: (event, events) => {
            if (!frozen && event.type === 'narration-end') {
              frozen = true;
              server.freeze();
              setTimeout(() => server.thaw(), 5000);
            }
            const first = reconnectIndex(events);
            return first >= 0 && count(events.slice(first), 'narration-end') >= 1 ? 'interrupt' : undefined;
          },
          timeoutMs: 150_000,
        },
      );
      assert.equal(run.code, 130, run.stderr);
      checkNarrations(run.events);
      const reconnect = run.events[reconnectIndex(run.events)] as
        | Extract<NarrationEvent, { type: 'source-reconnect' }>
        | undefined;
      assert.ok(reconnect, `a source-reconnect event: ${run.stderr}`);
      assert.match(reconnect.reason, /no frame for 3 s/);
      await assertNoChildLeft(run);
    } finally {
      await server.stop();
    }
  });

  it('a wrong password: a one-line authentication error, no hang, no child left; the right one narrates', async () => {
    const server = await startRtspServer({ protocols: 'tcp', clip, user: 'alice', password: 'secret' });
    try {
      const started = Date.now();
      const refused = await runCli(
        [
          'narrate',
          server.url.replace('rtsp://', 'rtsp://alice:wrong@'),
          ...narrateArguments,
          '--reconnect-attempts',
          '1',
          '--reconnect-delay',
          '200',
        ],
        { timeoutMs: 60_000 },
      );
      assert.ok(Date.now() - started < 45_000, 'no hang');
      assert.ok(
        refused.code !== 0 && refused.code !== 1 && refused.code !== null,
        `exit ${refused.code}: ${refused.stderr}`,
      );
      const lines = refused.stderr
        .trim()
        .split('\n')
        .filter((line) => line.startsWith('vidtok:'));
      assert.equal(lines.length, 1, refused.stderr);
      assert.match(lines[0]!, /401|unauthori[sz]ed|authori[sz]ation|authentication/i);
      assert.doesNotMatch(refused.stderr, /^\s+at /m, 'no stack trace');
      await assertNoChildLeft(refused);
      const accepted = await runCli(
        ['narrate', server.url.replace('rtsp://', 'rtsp://alice:secret@'), ...narrateArguments],
        {
          onEvent: (_event, events) => (count(events, 'narration-end') >= 1 ? 'interrupt' : undefined),
          timeoutMs: 90_000,
        },
      );
      assert.equal(accepted.code, 130, accepted.stderr);
      await assertNoChildLeft(accepted);
    } finally {
      await server.stop();
    }
  });
});
