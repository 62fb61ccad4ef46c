import type { IceServer, SignalData } from '../../../signal/protocol/index.ts';

export interface PeerLinkOptions {
  iceServers: IceServer[];
  /** The polite peer yields when both sides offer at once (perfect negotiation). */
  polite: boolean;
  sendSignal(data: SignalData): void;
  onChannel(channel: RTCDataChannel): void;
  onStateChange(state: RTCPeerConnectionState): void;
  iceTransportPolicy?: RTCIceTransportPolicy;
}

/** How long a connection may stay disconnected before ICE is restarted. */
const RESTART_AFTER_DISCONNECTED_MS = 4_000;

/**
 * One RTCPeerConnection to one remote peer, negotiated with the "perfect
 * negotiation" pattern: either side may (re)negotiate at any time, candidates
 * trickle as they are found, and a failed connection restarts ICE.
 */
export class PeerLink {
  readonly pc: RTCPeerConnection;
  #makingOffer = false;
  #disconnectedTimer: ReturnType<typeof setTimeout> | undefined;
  #ignoreOffer = false;
  readonly #options: PeerLinkOptions;

  constructor(options: PeerLinkOptions) {
    this.#options = options;
    this.pc = new RTCPeerConnection({
      iceServers: options.iceServers,
      ...(options.iceTransportPolicy ? { iceTransportPolicy: options.iceTransportPolicy } : {}),
    });
    this.pc.addEventListener('negotiationneeded', () => void this.#offer());
    this.pc.addEventListener('icecandidate', ({ candidate }) => {
      if (candidate) options.sendSignal({ candidate: candidate.toJSON() as SignalCandidate });
    });
    this.pc.addEventListener('datachannel', ({ channel }) => options.onChannel(channel));
    this.pc.addEventListener('connectionstatechange', () => {
      options.onStateChange(this.pc.connectionState);
    });
    this.pc.addEventListener('iceconnectionstatechange', () => {
      const state = this.pc.iceConnectionState;
      clearTimeout(this.#disconnectedTimer);
      if (state === 'failed') this.pc.restartIce();
      // Browsers call a path failed only some 30 s after it went quiet; a relay that is back sooner, or a new
      // network, is found sooner by restarting ICE once it has been disconnected for a few seconds.
      else if (state === 'disconnected') this.#disconnectedTimer = setTimeout(() => this.pc.iceConnectionState === 'disconnected' && this.pc.restartIce(), RESTART_AFTER_DISCONNECTED_MS);
    });
  }

  /** Opens an ordered, reliable channel: the one a transfer runs on, or one of its stripes. */
  openChannel(label: string): RTCDataChannel {
    const channel = this.pc.createDataChannel(label, { ordered: true });
    channel.binaryType = 'arraybuffer';
    return channel;
  }

  /**
   * The selected candidate pair's `currentRoundTripTime` (seconds in getStats, ms here), measured by ICE's own
   * checks: what striping decides by (docs/protocols.md, "Striping").
   */
  async roundTripMs(): Promise<number | undefined> {
    const stats = await this.pc.getStats();
    let pairId: string | undefined;
    stats.forEach((report: { type: string; selectedCandidatePairId?: string }) => {
      if (report.type === 'transport' && report.selectedCandidatePairId) pairId = report.selectedCandidatePairId;
    });
    const pair = (pairId ? stats.get(pairId) : undefined) as { currentRoundTripTime?: number } | undefined;
    return pair?.currentRoundTripTime === undefined ? undefined : pair.currentRoundTripTime * 1000;
  }

  async receive(data: SignalData): Promise<void> {
    try {
      if ('description' in data) {
        const description = data.description;
        const collision = description.type === 'offer' && (this.#makingOffer || this.pc.signalingState !== 'stable');
        this.#ignoreOffer = !this.#options.polite && collision;
        if (this.#ignoreOffer) return;
        await this.pc.setRemoteDescription(description);
        if (description.type === 'offer') {
          await this.pc.setLocalDescription();
          this.#sendDescription();
        }
      } else if (data.candidate) {
        try {
          await this.pc.addIceCandidate(data.candidate);
        } catch (error) {
          if (!this.#ignoreOffer) throw error;
        }
      }
    } catch (error) {
      console.warn('dropline: negotiation step failed', error);
    }
  }

  close(): void {
    clearTimeout(this.#disconnectedTimer);
    this.pc.close();
  }

  async #offer(): Promise<void> {
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      this.#sendDescription();
    } catch (error) {
      console.warn('dropline: could not make an offer', error);
    } finally {
      this.#makingOffer = false;
    }
  }

  #sendDescription(): void {
    const local = this.pc.localDescription;
    if (local) this.#options.sendSignal({ description: { type: local.type, sdp: local.sdp } });
  }
}

type SignalCandidate = Extract<SignalData, { candidate: unknown }>['candidate'];
