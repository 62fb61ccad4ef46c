/**
 * The DTLS certificate fingerprint a session description announces (`a=fingerprint:<algorithm> <hex>`).
 * Firefox writes it once at session level, Chromium once per media section; every section of one
 * connection carries the same certificate, so the first SHA-256 line is the connection's.
 * Peer authentication binds both ends' fingerprints into its proof (docs/security.md).
 */
export function sdpFingerprint(sdp: string): string {
  const match = /^a=fingerprint:sha-256 ((?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2})\r?$/m.exec(sdp);
  if (!match) throw new Error('the session description has no SHA-256 DTLS fingerprint');
  return `sha-256 ${match[1]!.toUpperCase()}`;
}

/** Both ends' fingerprints of a connected RTCPeerConnection: this page's, and the one the peer presented. */
export function connectionFingerprints(pc: RTCPeerConnection): { local: string; remote: string } {
  const local = pc.currentLocalDescription ?? pc.localDescription;
  const remote = pc.currentRemoteDescription ?? pc.remoteDescription;
  if (!local || !remote) throw new Error('the connection has no negotiated descriptions yet');
  return { local: sdpFingerprint(local.sdp), remote: sdpFingerprint(remote.sdp) };
}
