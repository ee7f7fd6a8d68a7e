/**
 * Explicit nonce management for one sender: nonces are handed out locally (sends are sequential within a keeper),
 * and resynchronised from the node's pending count after any send whose fate is unclear.
 */
export class NonceTracker {
  private next: number | null = null;

  constructor(private readonly fetchPending: () => Promise<number>) {}

  async take(): Promise<number> {
    if (this.next === null) this.next = await this.fetchPending();
    return this.next++;
  }

  /** Forget the local count; the next `take` asks the node. */
  reset(): void {
    this.next = null;
  }
}
