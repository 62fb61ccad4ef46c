/**
 * How many lanes a transfer gets: extra connections to the sender, each carrying one stripe of the transfer's data
 * (net/lane.ts; docs/protocols.md, "Striping"). One connection's throughput falls with the round trip, since its
 * congestion window grows by about a packet per round trip after each loss, and several connections are several
 * windows; channels of one connection share its window, so they do not help. Under ROUND_TRIP_MS_PER_LANE
 * (loopback, a LAN) one connection is the ceiling and the transfer keeps to it.
 */
export const ROUND_TRIP_MS_PER_LANE = 10;
/** Most lanes beside a transfer's connection: four connections in all, as the bench measured (README, "Round trips"). */
export const MAX_LANES = 3;

/** Lanes for a connection of this measured round trip: none under 10 ms, then one per 10 ms, up to MAX_LANES. */
export const lanesFor = (roundTripMs: number | undefined): number =>
  roundTripMs === undefined ? 0 : Math.min(MAX_LANES, Math.floor(roundTripMs / ROUND_TRIP_MS_PER_LANE));
