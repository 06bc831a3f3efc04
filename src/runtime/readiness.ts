/** One dependency `/readyz` asks before it answers ready. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
  /**
   * True when requests that do not need this service keep working while it is down (Redis: casts
   * and queries still do), so `/readyz` answers 200 "degraded" rather than 503.
   */
  degradesOnly?: boolean;
}
