// Makes sure the system programs the test suite talks to for real are present: redis-server (BullMQ tests),
// chromium (report rendering tests) and GStreamer's RTSP server with gjs (RTSP tests). When one is missing and we
// run as root on Debian, it is installed with apt-get (that is what a fresh CI machine needs); otherwise the command
// to install it is printed and the run stops.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const required = [
  {
    program: 'redis-server',
    debianPackage: 'redis-server',
    candidates: ['/usr/bin/redis-server', '/usr/local/bin/redis-server'],
  },
  { program: 'chromium', debianPackage: 'chromium', candidates: ['/usr/bin/chromium'] },
  // A real RTSP server for test/hardening/rtsp-narrate.test.ts: GStreamer's gst-rtsp-server driven by gjs.
  { program: 'gjs', debianPackage: 'gjs', candidates: ['/usr/bin/gjs'] },
  ...[
    ['gir1.2-gst-rtsp-server-1.0', 'girepository-1.0/GstRtspServer-1.0.typelib'],
    ['gstreamer1.0-plugins-good', 'gstreamer-1.0/libgstisomp4.so'],
    ['gstreamer1.0-plugins-bad', 'gstreamer-1.0/libgstvideoparsersbad.so'],
  ].map(([debianPackage, file]) => ({
    program: debianPackage,
    debianPackage,
    candidates: ['x86_64-linux-gnu', 'aarch64-linux-gnu'].map((triplet) => `/usr/lib/${triplet}/${file}`),
  })),
];

function onPath(program) {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', program], { stdio: 'ignore' }).status === 0;
}

export function ensureTestDependencies() {
  const missing = required.filter(
    (entry) => !entry.candidates.some((path) => existsSync(path)) && !onPath(entry.program),
  );
  if (missing.length === 0) return true;
  const packages = missing.map((entry) => entry.debianPackage);
  const canInstall = typeof process.getuid === 'function' && process.getuid() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    console.error(
      `tests need: ${packages.join(', ')} — install them, e.g. sudo apt-get install -y ${packages.join(' ')}`,
    );
    return false;
  }
  console.error(`installing test dependencies: ${packages.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
  return update.status === 0 && install.status === 0;
}
