/** One dependency `/readyz` asks before it answers ready. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}
