/**
 * How many rooms each client address is in at once, on this instance. One
 * address may open or join up to `maxRoomsPerIp` distinct rooms; more sockets in
 * a room it is already in cost nothing extra (a reloading tab, a second receiver).
 */
export class IpRoomQuota {
  readonly #rooms = new Map<string, Map<string, number>>();

  constructor(private readonly maxRoomsPerIp: number) {}

  acquire(ip: string, room: string): boolean {
    let rooms = this.#rooms.get(ip);
    const count = rooms?.get(room) ?? 0;
    if (count === 0 && (rooms?.size ?? 0) >= this.maxRoomsPerIp) return false;
    if (!rooms) this.#rooms.set(ip, (rooms = new Map()));
    rooms.set(room, count + 1);
    return true;
  }

  release(ip: string, room: string): void {
    const rooms = this.#rooms.get(ip);
    const count = rooms?.get(room);
    if (!rooms || count === undefined) return;
    if (count > 1) rooms.set(room, count - 1);
    else rooms.delete(room);
    if (rooms.size === 0) this.#rooms.delete(ip);
  }
}
