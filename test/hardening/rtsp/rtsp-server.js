// @file A real RTSP server for the tests: GStreamer's gst-rtsp-server (Debian's libgstrtspserver-1.0) driven from
// gjs. It serves one mount as RTP H.264, from an MP4 file played at its own speed (file=<path>) or from an MPEG-TS
// stream that ffmpeg publishes to a UDP port. Arguments: port mount source protocols(tcp|udp|both) [user password].
// Prints "ready" on stdout once it listens, then "client-connected" per RTSP connection.
imports.gi.versions.Gst = '1.0';
imports.gi.versions.GstRtsp = '1.0';
imports.gi.versions.GstRtspServer = '1.0';
const { GLib, Gst, GstRtsp, GstRtspServer } = imports.gi;
Gst.init(null);

const [port, mount, udpPort, protocols, user, password] = ARGV; // udpPort: a UDP port or file=<path>
const server = new GstRtspServer.RTSPServer();
server.set_address('127.0.0.1');
server.set_service(port);
const factory = new GstRtspServer.RTSPMediaFactory();
// The source: a port where ffmpeg publishes MPEG-TS over UDP, or file=<path> for an MP4 served at playback speed.
const source = udpPort.startsWith('file=')
  ? `filesrc location="${udpPort.slice(5)}" ! qtdemux ! h264parse`
  : `udpsrc address=127.0.0.1 port=${udpPort} caps="video/mpegts,systemstream=(boolean)true,packetsize=(int)188" ! tsdemux ! h264parse`;
factory.set_launch(`( ${source} ! rtph264pay name=pay0 pt=96 config-interval=-1 )`);
// One media per client: a client that vanishes without TEARDOWN (a killed ffmpeg) takes its pipeline with it.
factory.set_shared(false);
factory.set_eos_shutdown(false);
const lower = {
  tcp: GstRtsp.RTSPLowerTrans.TCP,
  udp: GstRtsp.RTSPLowerTrans.UDP,
  both: GstRtsp.RTSPLowerTrans.TCP | GstRtsp.RTSPLowerTrans.UDP,
}[protocols || 'both'];
factory.set_protocols(lower);
if (user) {
  const auth = new GstRtspServer.RTSPAuth();
  const token = new GstRtspServer.RTSPToken();
  token.set_string('media.factory.role', 'viewer');
  auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token);
  server.set_auth(auth);
  const parsed = Gst.Structure.from_string(
    'viewer, media.factory.access=(boolean)true, media.factory.construct=(boolean)true',
  );
  factory.add_role_from_structure(Array.isArray(parsed) ? parsed[0] : parsed);
}
server.get_mount_points().add_factory(mount, factory);
server.connect('client-connected', (_server, _client) => {
  print('client-connected');
});
if (server.attach(null) === 0) {
  printerr(`cannot listen on 127.0.0.1:${port}`);
  imports.system.exit(1);
}
print('ready');
new GLib.MainLoop(null, false).run();
