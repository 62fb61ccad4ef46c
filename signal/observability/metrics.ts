/** Counters and gauges for `/metrics`, rendered in the Prometheus text format (version 0.0.4). */
export class Metrics {
  connectionsOpen = 0;
  connectionsTotal = 0;
  messagesReceived = 0;
  messagesRelayed = 0;
  readonly refusals = new Map<string, number>();
  readonly abuseCloses = new Map<string, number>();

  refused(code: string): void {
    this.refusals.set(code, (this.refusals.get(code) ?? 0) + 1);
  }

  closedForAbuse(reason: string): void {
    this.abuseCloses.set(reason, (this.abuseCloses.get(reason) ?? 0) + 1);
  }

  render(rooms: { rooms: number; peers: number }): string {
    const lines: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: Array<[labels: string, value: number]>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    const labelled = (label: string, counts: Map<string, number>): Array<[string, number]> =>
      [...counts].map(([key, value]) => [`{${label}="${key}"}`, value]);
    metric('dropline_connections', 'gauge', 'WebSocket connections open now.', [['', this.connectionsOpen]]);
    metric('dropline_connections_total', 'counter', 'WebSocket connections accepted.', [['', this.connectionsTotal]]);
    metric('dropline_rooms', 'gauge', 'Rooms with a peer on this instance, or in their grace period.', [['', rooms.rooms]]);
    metric('dropline_peers', 'gauge', 'Peers joined to a room on this instance.', [['', rooms.peers]]);
    metric('dropline_messages_received_total', 'counter', 'Frames received from clients.', [['', this.messagesReceived]]);
    metric('dropline_messages_relayed_total', 'counter', 'Signals relayed to another peer.', [['', this.messagesRelayed]]);
    metric('dropline_refusals_total', 'counter', 'Frames answered with an error, by error code.', labelled('code', this.refusals));
    metric('dropline_abuse_closes_total', 'counter', 'Sockets closed for abuse, by reason.', labelled('reason', this.abuseCloses));
    return `${lines.join('\n')}\n`;
  }
}
