/** Pub/sub port: in memory for one process, Redis when REDIS_URL is set (several gateways agree). */
export interface PubSub {
  publish(channel: string, message: unknown): Promise<void>;
  /** Returns an unsubscribe function. Messages arrive in publish order per channel. */
  subscribe(channel: string, onMessage: (message: unknown) => void): Promise<() => Promise<void>>;
  /** True when both publishing and subscribing work (readiness); absent where nothing can be down. */
  ping?(): Promise<boolean>;
  close(): Promise<void>;
}

export const electionChannel = (electionId: string) => `evote:election:${electionId}`;
